//! Parsers for argument values that clap does not provide: path counts written as `1e6` or
//! `1_000_000` (the library's [`breakeven::count`], which the web API shares), and output
//! files whose folder must exist before anything runs.
//!
//! Both run while the command line is parsed, so a bad value is a usage error (exit code 2)
//! before a single path is simulated.

use std::path::{Path, PathBuf};

pub use breakeven::count::parse as count;

/// An output file whose folder exists (`report.html` is in the current folder).
pub fn destination(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    if text.is_empty() {
        return Err("give a file name".into());
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(if folder.exists() {
            format!("{} is not a folder", folder.display())
        } else {
            format!("the folder {} does not exist", folder.display())
        });
    }
    if path.is_dir() {
        return Err(format!("{} is a folder, not a file", path.display()));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_destination_needs_an_existing_folder() {
        assert!(destination("report.html").is_ok());
        let err = destination("no-such-folder-here/report.html").unwrap_err();
        assert!(err.contains("no-such-folder-here"), "{err}");
        assert!(destination("src").unwrap_err().contains("is a folder"));
        assert!(
            destination("Cargo.toml/x")
                .unwrap_err()
                .contains("not a folder")
        );
    }
}
