//! A progress bar with bytes and speed for long copies; hidden when stderr is not a
//! terminal or output is JSON, so logs and scripts get no control characters.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Bar(ProgressBar);

impl Bar {
    pub fn new(total: u64, quiet: bool) -> Bar {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:30} {bytes:>10}/{total_bytes:<10} {binary_bytes_per_sec:>12} {eta:>4} {wide_msg}",
            )
            .expect("the template is valid"),
        );
        Bar(bar)
    }

    pub fn inc(&self, bytes: u64, current: &str) {
        self.0.inc(bytes);
        self.0.set_message(current.to_owned());
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl fatimg::Progress for &Bar {
    fn update(&mut self, done: u64, _total: u64, current: &str) {
        self.0.set_position(done);
        self.0.set_message(current.to_owned());
    }
}

/// Counts bytes into the bar as they are written.
pub struct Counting<'a, W> {
    pub inner: W,
    pub bar: &'a Bar,
    pub current: &'a str,
}

impl<W: std::io::Write> std::io::Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bar.inc(n as u64, self.current);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
