//! SHA-256 of every file on a second thread, so hashing (the writer's biggest CPU cost)
//! overlaps the reads and writes instead of following them.
//!
//! The bytes travel in a few recycled buffers: the writing thread copies what a source
//! writes into a free buffer and sends it on when full; the hashing thread hands each
//! buffer back once hashed. The pool's size bounds how far the writer runs ahead, and
//! nothing is allocated per chunk.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

use sha2::{Digest, Sha256};

/// Buffers in flight: two would already overlap, a few more absorb the unevenness of
/// reads and writes. 4 x 1 MiB stays within the L3 cache through which the bytes pass
/// from the writing core to the hashing one. Measured on 2.1 GB: 4 or 8 buffers of
/// 256 KiB (four times the hand-overs) were no faster, 2 of them slower.
const POOL: usize = 4;
const BUFFER: usize = 1 << 20;

enum Message {
    /// Bytes of the current file, in order.
    Bytes(Vec<u8>),
    /// The current file is complete: its digest comes next in the result.
    End,
}

/// The writing thread's end: takes a file's bytes in order, then [`Feed::end_file`].
pub(crate) struct Feed {
    filled: Sender<Message>,
    free: Receiver<Vec<u8>>,
    current: Vec<u8>,
}

impl Feed {
    /// Passes `bytes` of the current file on to be hashed.
    pub(crate) fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let take = bytes.len().min(BUFFER - self.current.len());
            self.current.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.current.len() == BUFFER {
                self.send_current();
            }
        }
    }

    /// Marks the end of the current file; the next bytes belong to the next file.
    pub(crate) fn end_file(&mut self) {
        if !self.current.is_empty() {
            self.send_current();
        }
        self.send(Message::End);
    }

    fn send_current(&mut self) {
        let free = self.free.recv().expect("the hashing thread stopped");
        let full = std::mem::replace(&mut self.current, free);
        self.send(Message::Bytes(full));
    }

    fn send(&self, message: Message) {
        self.filled
            .send(message)
            .expect("the hashing thread stopped");
    }
}

/// Runs `write` with a [`Feed`] whose files are hashed on a second thread. Returns what
/// `write` returned and the SHA-256 of each file it ended, in order.
pub(crate) fn with_hashing<R>(write: impl FnOnce(&mut Feed) -> R) -> (R, Vec<[u8; 32]>) {
    let (filled_tx, filled_rx) = channel();
    let (free_tx, free_rx) = channel();
    for _ in 1..POOL {
        free_tx
            .send(Vec::with_capacity(BUFFER))
            .expect("the receiver is alive");
    }
    let mut feed = Feed {
        filled: filled_tx,
        free: free_rx,
        current: Vec::with_capacity(BUFFER),
    };
    thread::scope(|scope| {
        let hashing = scope.spawn(move || hash(&filled_rx, &free_tx));
        let result = write(&mut feed);
        // Closing the channel ends the hashing thread once it has caught up.
        drop(feed);
        let digests = hashing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (result, digests)
    })
}

fn hash(filled: &Receiver<Message>, free: &Sender<Vec<u8>>) -> Vec<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut digests = Vec::new();
    for message in filled {
        match message {
            Message::Bytes(mut bytes) => {
                hasher.update(&bytes);
                bytes.clear();
                // The writer stops taking buffers once it has sent its last file.
                let _ = free.send(bytes);
            }
            Message::End => digests.push(hasher.finalize_reset().into()),
        }
    }
    digests
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_whatever_the_write_sizes() {
        // Files around the buffer size, empty ones, and more bytes than the whole pool, each
        // written in uneven pieces that straddle buffer boundaries.
        let sizes = [
            0,
            1,
            BUFFER - 1,
            BUFFER,
            BUFFER + 1,
            0,
            (POOL + 2) * BUFFER + 7,
            3,
        ];
        let files: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| (0..n).map(|b| (b * 31 + i * 7) as u8).collect())
            .collect();
        let (count, digests) = with_hashing(|feed| {
            for file in &files {
                let mut rest = file.as_slice();
                for piece in [1, 1000, BUFFER - 5, 2 * BUFFER].iter().cycle() {
                    if rest.is_empty() {
                        break;
                    }
                    let (now, later) = rest.split_at(rest.len().min(*piece));
                    feed.update(now);
                    rest = later;
                }
                feed.end_file();
            }
            files.len()
        });
        assert_eq!(count, files.len());
        let expected: Vec<[u8; 32]> = files.iter().map(|f| Sha256::digest(f).into()).collect();
        assert_eq!(digests, expected);
    }
}
