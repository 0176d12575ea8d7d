//! The progress bar: an indicatif bar on stderr that appears only once a run has taken longer
//! than a moment, and never when stderr is not a terminal.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use breakeven::engine::Progress;

/// How long a run goes before its bar is shown.
const SHOW_AFTER: Duration = Duration::from_millis(400);

pub struct Bar {
    bar: ProgressBar,
    started: Mutex<Option<Instant>>,
}

impl Bar {
    /// A bar counting paths.
    pub fn new() -> Bar {
        Bar::counting("paths")
    }

    /// A bar counting `what` (paths, repetitions).
    pub fn counting(what: &str) -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{human_pos}}/{{human_len}} {what}, {{eta}} left"
            ))
            .expect("the template is valid"),
        );
        Bar {
            bar,
            started: Mutex::new(None),
        }
    }
}

impl Progress for Bar {
    fn start(&self, paths: u64) {
        self.bar.set_length(paths);
        self.bar.set_position(0);
        *self.started.lock().expect("not poisoned") = Some(Instant::now());
    }

    fn advance(&self, paths: u64) {
        self.bar.inc(paths);
        if self.bar.is_hidden() {
            let mut started = self.started.lock().expect("not poisoned");
            if started.is_some_and(|t| t.elapsed() > SHOW_AFTER) {
                // Shown once; stderr() stays hidden when stderr is not a terminal.
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
                *started = None;
            }
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
