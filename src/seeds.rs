//! The source articles the scenarios cite, compiled into the library: the table of seeds
//! (`seeds/sources.toml`: outlet, date, title, address) and their figures
//! (`seeds/figures.toml`), and the figures of the published analyses that `scenarios/published/`
//! reproduces (`seeds/publications.toml`), so that citations and `simulate calibrate` work from
//! any folder.
//!
//! A `source` string cites a seed by naming it: `"seed 004: about half borne by partners"`,
//! `"seeds 000 and 001"`, the article's file name, or the id of one of its figures
//! (`openai_dc_plan_total`). [`cited_by`] resolves such a string to the seeds' citations.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The text of `seeds/figures.toml` as it was when the library was built.
pub const FIGURES: &str = include_str!("../seeds/figures.toml");
/// How the built-in figures are named in messages.
pub const FIGURES_ORIGIN: &str = "seeds/figures.toml (built in)";
/// The text of `seeds/publications.toml` (figures of the published analyses that
/// `scenarios/published/` reproduces) as it was when the library was built.
pub const PUBLICATIONS: &str = include_str!("../seeds/publications.toml");
/// How the built-in publication figures are named in messages.
pub const PUBLICATIONS_ORIGIN: &str = "seeds/publications.toml (built in)";
/// The text of `seeds/sources.toml` as it was when the library was built.
const SOURCES: &str = include_str!("../seeds/sources.toml");

/// One source article.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// Its number, e.g. `004`.
    pub id: String,
    /// The article's file name in the collection the seeds came from.
    pub file: String,
    /// Where it was published.
    pub outlet: String,
    /// The date it gives, or the dating argued in `seeds/README.md`.
    pub date: String,
    /// The title as published, where the page has one.
    pub title: Option<String>,
    /// An English gloss of the title.
    pub title_en: Option<String>,
    /// The original address, where the article gives one.
    pub url: Option<String>,
}

impl Seed {
    /// The full citation: `seed 000: outlet, date, "title" (gloss), address`.
    pub fn citation(&self) -> String {
        let mut out = format!("seed {}: {}, {}", self.id, self.outlet, self.date);
        if let Some(title) = &self.title {
            out.push_str(&format!(", \"{title}\""));
            if let Some(gloss) = &self.title_en {
                out.push_str(&format!(" ({gloss})"));
            }
        }
        match &self.url {
            Some(url) => out.push_str(&format!(", {url}")),
            None => out.push_str(", no address known"),
        }
        out
    }
}

#[derive(Deserialize)]
struct Table {
    seed: Vec<Seed>,
}

#[derive(Deserialize)]
struct FigureSources {
    figure: Vec<FigureSource>,
}

#[derive(Deserialize)]
struct FigureSource {
    id: String,
    source: String,
}

/// Every seed, in order of its id.
pub fn all() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        toml::from_str::<Table>(SOURCES)
            .expect("seeds/sources.toml is checked by the tests")
            .seed
    })
}

/// The id of the seed that states each figure, by figure id.
fn figure_seeds() -> &'static [(String, String)] {
    static FIGURES_BY_ID: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FIGURES_BY_ID.get_or_init(|| {
        let figures: FigureSources =
            toml::from_str(FIGURES).expect("seeds/figures.toml is checked by the tests");
        figures
            .figure
            .into_iter()
            .filter_map(|f| Some((f.id, seed_ids(&f.source).into_iter().next()?)))
            .collect()
    })
}

/// The seed ids `text` names as `seed 004`, `seeds 000, 001 and 002` or a file name.
fn seed_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut push = |id: &str| {
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_string());
        }
    };
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| !w.is_empty())
        .collect();
    let is_id = |w: &str| w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit());
    let mut in_list = false;
    for word in words {
        let word = word.trim_end_matches('.');
        if word == "seed" || word == "seeds" {
            in_list = true;
        } else if in_list && is_id(word) {
            push(word);
        } else if !(in_list && matches!(word, "and" | "or")) {
            in_list = false;
            if let Some(seed) = all().iter().find(|s| word == s.file.to_lowercase()) {
                push(&seed.id);
            }
        }
    }
    ids
}

/// The seeds a source string cites, in order of first mention: by id (`seed 004`), by file
/// name, or through the id of one of their figures. Empty for an assumption.
pub fn cited_by(source: &str) -> Vec<&'static Seed> {
    let mut ids = seed_ids(source);
    for (figure, seed) in figure_seeds() {
        let named = source
            .match_indices(figure.as_str())
            .any(|(at, _)| is_whole_word(source, at, figure.len()));
        if named && !ids.contains(seed) {
            ids.push(seed.clone());
        }
    }
    ids.iter()
        .filter_map(|id| all().iter().find(|s| &s.id == id))
        .collect()
}

/// Whether `text[at..at + len]` is not part of a longer identifier.
fn is_whole_word(text: &str, at: usize, len: usize) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let before = text[..at].chars().next_back().is_none_or(|c| !ident(c));
    let after = text[at + len..].chars().next().is_none_or(|c| !ident(c));
    before && after
}

/// The citations of every seed cited by any of `sources`, each once, in order of id.
pub fn citations<'a>(sources: impl IntoIterator<Item = &'a str>) -> Vec<&'static Seed> {
    let mut cited: Vec<&'static Seed> = sources.into_iter().flat_map(cited_by).collect();
    cited.sort_by(|a, b| a.id.cmp(&b.id));
    cited.dedup_by(|a, b| a.id == b.id);
    cited
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_seed_has_an_outlet_and_a_date() {
        let seeds = all();
        assert_eq!(seeds.len(), 5);
        for (n, s) in seeds.iter().enumerate() {
            assert_eq!(s.id, format!("{n:03}"));
            assert!(s.file.starts_with(&s.id), "{}", s.file);
            assert!(!s.outlet.is_empty() && !s.date.is_empty());
        }
    }

    #[test]
    fn every_figure_names_a_seed_of_the_table() {
        let figures: FigureSources = toml::from_str(FIGURES).unwrap();
        for f in figures.figure {
            let cited = cited_by(&f.source);
            assert_eq!(cited.len(), 1, "{}: source '{}'", f.id, f.source);
        }
    }

    #[test]
    fn sources_resolve_by_id_list_file_name_and_figure_id() {
        let ids = |s: &str| cited_by(s).iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids("seed 004: about half borne by partners"), ["004"]);
        assert_eq!(ids("seeds 000 and 001: H1 revenue"), ["000", "001"]);
        assert_eq!(ids("Seeds 002, 003."), ["002", "003"]);
        assert_eq!(ids("002_cd2369c920732a9b.txt: 2-3 years"), ["002"]);
        assert_eq!(ids("derived from openai_dc_plan_total"), ["004"]);
        assert!(ids("assumption: 004 reasons, not a seed").is_empty());
        assert!(ids("assumption: openai_dc_plan_totally new").is_empty());
        let citation = all()[0].citation();
        assert!(citation.starts_with("seed 000: "), "{citation}");
        assert!(citation.contains("23 October 2025"), "{citation}");
        assert!(citation.contains("http://www.xishuta.com/"), "{citation}");
        assert!(all()[1].citation().ends_with("no address known"));
        let all_cited = citations(["seed 004: x", "seed 000", "seed 004: y"]);
        assert_eq!(all_cited.len(), 2);
        assert_eq!(all_cited[0].id, "000");
    }
}
