//! Command-line spellings of library choices: each flag enum mirrors a library type, which
//! knows no clap, and converts into it.

use clap::ValueEnum;

use breakeven::analysis::sensitivity::Statistic;
use breakeven::report::Format;
use breakeven::sampler::Sampler;

/// `--sampler`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SamplerFlag {
    /// Independent pseudo-random draws.
    Mc,
    /// Latin hypercube: each input stratified within each chunk of 1,024 paths.
    Lhs,
    /// Owen-scrambled Sobol points.
    Sobol,
}

impl From<SamplerFlag> for Sampler {
    fn from(flag: SamplerFlag) -> Sampler {
        match flag {
            SamplerFlag::Mc => Sampler::Mc,
            SamplerFlag::Lhs => Sampler::Lhs,
            SamplerFlag::Sobol => Sampler::Sobol,
        }
    }
}

/// `--format` of a run's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatFlag {
    /// A report for the terminal, 100 columns wide.
    Table,
    /// The stable machine-readable document.
    Json,
    /// One row per number, for spreadsheets.
    Csv,
    /// Tables for documents.
    Markdown,
}

impl From<FormatFlag> for Format {
    fn from(flag: FormatFlag) -> Format {
        match flag {
            FormatFlag::Table => Format::Table,
            FormatFlag::Json => Format::Json,
            FormatFlag::Csv => Format::Csv,
            FormatFlag::Markdown => Format::Markdown,
        }
    }
}

/// `--statistic` of a sensitivity's metric output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatisticFlag {
    Median,
    Mean,
}

impl From<StatisticFlag> for Statistic {
    fn from(flag: StatisticFlag) -> Statistic {
        match flag {
            StatisticFlag::Median => Statistic::Median,
            StatisticFlag::Mean => Statistic::Mean,
        }
    }
}
