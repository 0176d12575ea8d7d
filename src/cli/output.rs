//! Writing results: to standard output, or atomically to a file.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `text` to standard output, or to `out` atomically: a temporary file in the same
/// folder, synced and renamed over the target once complete, so no reader ever sees half a
/// file and a failed run leaves any previous file untouched. The file gets the permissions a
/// shell redirection gives (0666 less the umask), not the temporary file's private 0600.
pub fn write(text: &str, out: Option<&Path>) -> Result<()> {
    match out {
        None => {
            let mut stdout = io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
        Some(path) => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let mut tmp = temporary_file(dir)
                .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
            tmp.write_all(text.as_bytes())?;
            tmp.as_file().sync_all()?;
            tmp.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
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
