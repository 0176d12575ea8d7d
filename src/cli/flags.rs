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

/// `--format` of any result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatFlag {
    /// A report for the terminal.
    Table,
    /// The stable machine-readable document.
    Json,
    /// Rows of numbers, for spreadsheets and data frames.
    Csv,
    /// Tables for documents.
    Markdown,
    /// An Excel workbook (binary: needs --out or a pipe).
    Xlsx,
}

impl From<FormatFlag> for Format {
    fn from(flag: FormatFlag) -> Format {
        match flag {
            FormatFlag::Table => Format::Table,
            FormatFlag::Json => Format::Json,
            FormatFlag::Csv => Format::Csv,
            FormatFlag::Markdown => Format::Markdown,
            FormatFlag::Xlsx => Format::Xlsx,
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
