//! A run as a web request asks for it: the query string of `/api/run` and `/api/view`
//! (`set=key=value` any number of times, `paths`, `seed`, `sampler`, `format`, `session`),
//! parsed into the same overrides and settings the command line builds, with the same
//! messages for the same mistakes.
//!
//! Every value is untrusted: unknown parameters, repeated single-valued parameters, values
//! that do not parse, and path counts over the server's bound are errors, never panics.

use crate::count;
use crate::report::Format;
use crate::run_request;
use crate::sampler::Sampler;
use crate::scenario::Override;

/// The samplers a request may name.
const SAMPLERS: [Sampler; 3] = [Sampler::Mc, Sampler::Lhs, Sampler::Sobol];
/// The report formats a request may name, with their names.
const FORMATS: [(&str, Format); 5] = [
    ("json", Format::Json),
    ("csv", Format::Csv),
    ("markdown", Format::Markdown),
    ("table", Format::Table),
    ("xlsx", Format::Xlsx),
];
/// The longest session name a client may give.
const MAX_SESSION: usize = 64;

/// A parsed request.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    /// The run: overrides, paths, seed and sampler.
    pub run: run_request::RunRequest,
    /// The answer's format: one of the command line's, or the HTML report (`format=html`).
    pub format: Rendering,
    /// Whether the response should be a download (`download=1`).
    pub download: bool,
    /// The client's view: a newer request of the same session cancels an older one.
    pub session: Option<String>,
}

/// How a run is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// As `simulate FILE --format F` prints it.
    Report(Format),
    /// As `simulate report` writes it, with the run's sections only (no analyses).
    Html,
}

/// A request that cannot be run: the message the client gets with status 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadRequest(pub String);

impl RunRequest {
    /// Parses a query string (without the `?`); `max_paths` bounds `paths`.
    pub fn parse(query: &str, max_paths: u64) -> Result<RunRequest, BadRequest> {
        let mut request = RunRequest {
            run: run_request::RunRequest::new(),
            format: Rendering::Report(Format::Json),
            download: false,
            session: None,
        };
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if name != "set" {
                if seen.iter().any(|s| *s == name) {
                    return Err(BadRequest(format!(
                        "the parameter '{name}' cannot be used multiple times"
                    )));
                }
                seen.push(name.to_string());
            }
            match &*name {
                "set" => request.run.overrides.push(
                    value
                        .parse::<Override>()
                        .map_err(|e| invalid(&value, "--set <KEY=VALUE>", &e))?,
                ),
                "paths" => {
                    let paths = parse_count(&value, "--paths <PATHS>")?;
                    if paths > max_paths {
                        return Err(BadRequest(format!(
                            "paths={paths}: more than this server runs per request ({max_paths}; \
                             see simulate serve --max-paths)"
                        )));
                    }
                    request.run.paths = Some(paths);
                }
                "seed" => {
                    request.run.seed = Some(
                        value
                            .parse::<u64>()
                            .map_err(|e| invalid(&value, "--seed <SEED>", &e.to_string()))?,
                    )
                }
                "sampler" => {
                    request.run.sampler = SAMPLERS
                        .into_iter()
                        .find(|s| s.name() == value)
                        .ok_or_else(|| {
                            invalid(&value, "--sampler <SAMPLER>", "expected mc, lhs or sobol")
                        })?
                }
                "format" if value == "html" => request.format = Rendering::Html,
                "format" => {
                    request.format = FORMATS
                        .into_iter()
                        .find(|(n, _)| *n == value)
                        .map(|(_, f)| Rendering::Report(f))
                        .ok_or_else(|| {
                            invalid(
                                &value,
                                "--format <FORMAT>",
                                "expected json, csv, markdown, table, xlsx or html",
                            )
                        })?
                }
                "download" => request.download = value == "1" || value == "true",
                "session" => {
                    if value.is_empty()
                        || value.len() > MAX_SESSION
                        || !value
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    {
                        return Err(BadRequest(format!(
                            "session: expected 1 to {MAX_SESSION} letters, digits, '-' or '_'"
                        )));
                    }
                    request.session = Some(value.into_owned());
                }
                other => {
                    return Err(BadRequest(format!(
                        "unknown parameter '{other}' (expected set, paths, seed, sampler, format, \
                         download or session)"
                    )));
                }
            }
        }
        Ok(request)
    }

    /// The query string that asks for this request again (`set`, `paths`, `seed`, `sampler`).
    pub fn to_query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        let run = &self.run;
        for o in &run.overrides {
            q.append_pair("set", &o.to_string());
        }
        if let Some(p) = run.paths {
            q.append_pair("paths", &p.to_string());
        }
        if let Some(s) = run.seed {
            q.append_pair("seed", &s.to_string());
        }
        if run.sampler != Sampler::Mc {
            q.append_pair("sampler", run.sampler.name());
        }
        q.finish()
    }
}

/// The message the command line gives for an invalid value of `flag`.
fn invalid(value: &str, flag: &str, reason: &str) -> BadRequest {
    BadRequest(format!("invalid value '{value}' for '{flag}': {reason}"))
}

/// A count of paths as the command line takes it (`20000`, `2e4`).
fn parse_count(value: &str, flag: &str) -> Result<u64, BadRequest> {
    count::parse(value).map_err(|e| invalid(value, flag, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<RunRequest, BadRequest> {
        RunRequest::parse(q, 1_000_000)
    }

    #[test]
    fn reads_every_parameter() {
        let r = parse(
            "set=capex.partner_share%3D0.3&set=capex.years=6&paths=20000&seed=7&sampler=lhs\
             &format=csv&download=1&session=tab-1",
        )
        .unwrap();
        assert_eq!(r.run.overrides.len(), 2);
        assert_eq!(r.run.overrides[0].to_string(), "capex.partner_share=0.3");
        assert_eq!(r.run.overrides[1].to_string(), "capex.years=6");
        assert_eq!(r.run.paths, Some(20_000));
        assert_eq!(r.run.seed, Some(7));
        assert_eq!(r.run.sampler, Sampler::Lhs);
        assert_eq!(r.format, Rendering::Report(Format::Csv));
        assert!(r.download);
        assert_eq!(r.session.as_deref(), Some("tab-1"));
    }

    #[test]
    fn the_query_round_trips() {
        let q = "set=capex.partner_share%3D0.3&set=capex.total%3D%7B+dist+%3D+%22uniform%22%2C+min+%3D+1e12%2C+max+%3D+2e12+%7D&paths=500&seed=3&sampler=sobol";
        let r = parse(q).unwrap();
        assert_eq!(
            r.run.overrides[1].value,
            r#"{ dist = "uniform", min = 1e12, max = 2e12 }"#
        );
        assert_eq!(r.to_query(), q);
        assert_eq!(parse(&r.to_query()).unwrap(), r);
    }

    #[test]
    fn bad_values_are_refused_with_the_command_line_message() {
        let e = |q: &str| parse(q).unwrap_err().0;
        assert_eq!(
            e("set=capex"),
            "invalid value 'capex' for '--set <KEY=VALUE>': expected key.path=VALUE, got 'capex'"
        );
        assert!(e("paths=abc").starts_with("invalid value 'abc' for '--paths <PATHS>'"));
        assert_eq!(parse("paths=2e4").unwrap().run.paths, Some(20_000));
        assert_eq!(parse("paths=20_000").unwrap().run.paths, Some(20_000));
        assert!(e("paths=1.5e3").contains("decimal point"));
        assert!(e("paths=0").contains("at least 1"));
        assert!(e("paths=-5").contains("'-5'"));
        assert!(e("paths=1000001").contains("(1000000;"));
        assert!(e("seed=1.5").starts_with("invalid value '1.5' for '--seed <SEED>'"));
        assert!(e("sampler=qmc").contains("expected mc, lhs or sobol"));
        assert!(e("format=pdf").contains("expected json"));
        assert!(e("colour=red").starts_with("unknown parameter 'colour'"));
        assert!(e("paths=1&paths=2").contains("multiple times"));
        assert!(e("session=a%20b").starts_with("session:"));
        assert!(e(&format!("session={}", "x".repeat(65))).starts_with("session:"));
    }

    #[test]
    fn malformed_percent_encoding_does_not_panic() {
        for q in ["%", "%zz", "set=%ff%fe", "&&&", "=", "set==", "paths=%00"] {
            let _ = parse(q);
        }
        assert!(parse("").unwrap().run.overrides.is_empty());
    }
}
