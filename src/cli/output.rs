//! Writing results: the `--format` and `--out` arguments, and writing to standard output or
//! atomically to a file.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use breakeven::report::{Exporter, Format};

use super::InputError;
use super::flags::FormatFlag;

/// `--format` and `--out`, shared by every command that writes a result.
#[derive(Args)]
pub struct Destination {
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatFlag::Table)]
    pub format: FormatFlag,
    /// Write the output to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE", value_parser = super::values::destination)]
    pub out: Option<PathBuf>,
}

impl Destination {
    /// The library's format.
    pub fn format(&self) -> Format {
        self.format.into()
    }

    /// Refuses, before any work is done, a binary format bound for a terminal.
    pub fn check(&self) -> Result<()> {
        if self.format().is_binary() && self.out.is_none() && io::stdout().is_terminal() {
            return Err(InputError(
                "--format xlsx writes a binary workbook: give --out FILE, or pipe standard output to a file"
                    .into(),
            )
            .into());
        }
        Ok(())
    }

    /// Renders `result` and writes it.
    pub fn export(&self, result: &impl Exporter) -> Result<()> {
        self.check()?;
        let bytes = self.format().render(result)?;
        write(&bytes, self.out.as_deref())
    }
}

/// Writes `bytes` to standard output, or to `out` atomically: a temporary file in the same
/// folder, synced and renamed over the target once complete, so no reader ever sees half a
/// file and a failed run leaves any previous file untouched. The file gets the permissions a
/// shell redirection gives (0666 less the umask), not the temporary file's private 0600.
pub fn write(bytes: impl AsRef<[u8]>, out: Option<&Path>) -> Result<()> {
    let bytes = bytes.as_ref();
    match out {
        None => {
            let mut stdout = io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
        }
        Some(path) => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let mut tmp = temporary_file(dir)
                .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
            tmp.write_all(bytes)?;
            tmp.as_file().sync_all()?;
            tmp.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}

/// A file written in pieces and made visible only when complete: a temporary file beside
/// `path`, which [`AtomicFile::commit`] renames over it; dropped uncommitted, it vanishes.
pub struct AtomicFile {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    /// Starts a file at `path`.
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = temporary_file(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
        })
    }

    /// Where the content goes until the commit.
    pub fn file(&mut self) -> &mut std::fs::File {
        self.tmp.as_file_mut()
    }

    /// Syncs the content and renames it over the target.
    pub fn commit(self) -> Result<()> {
        self.tmp.as_file().sync_all()?;
        self.tmp
            .persist(&self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}

/// A temporary file in `dir`, created with mode 0666 so that the umask alone decides who may
/// read the finished file.
fn temporary_file(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".simulate-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}
