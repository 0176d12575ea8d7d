//! Ctrl-C (SIGINT): the first one asks the running simulation to stop at its next chunk and
//! report the paths done so far; a second one exits at once. Exit code 130 either way, the
//! shell's code for a process ended by SIGINT.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};

/// The exit code of an interrupted run.
pub const EXIT_CODE: u8 = 130;

static CANCEL: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C has been pressed.
pub fn requested() -> bool {
    CANCEL.load(Ordering::Relaxed)
}

/// Installs the handler and returns the flag it sets.
pub fn install() -> Result<&'static AtomicBool> {
    ctrlc::set_handler(|| {
        if CANCEL.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_CODE));
        }
    })
    .context("cannot install the Ctrl-C handler")?;
    Ok(&CANCEL)
}
