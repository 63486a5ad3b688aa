//! Splitting straight into a folder, all or nothing.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::error::{Result, WimError};
use crate::reader::Wim;

/// Splits `src` into parts of at most `max_part_bytes` in `out_dir`, the
/// first named `base_name` (e.g. `install.swm`). Returns the paths written.
///
/// Parts are written under temporary names and renamed only once all are
/// complete; on any error every file this call created is removed again, so
/// a failed split never leaves a set that looks usable.
pub fn split_to_dir(
    src: impl AsRef<Path>,
    out_dir: impl AsRef<Path>,
    base_name: &str,
    max_part_bytes: u64,
) -> Result<Vec<PathBuf>> {
    let out_dir = out_dir.as_ref();
    let plan = Wim::open(src)?.plan_split_named(max_part_bytes, base_name)?;
    let mut created = Created::default();

    let mut finals = Vec::with_capacity(plan.parts.len());
    for (index, part) in plan.parts.iter().enumerate() {
        let temp = out_dir.join(format!(".{}.partial", part.file_name));
        let mut file = File::create(&temp).map_err(|source| WimError::Io {
            path: temp.clone(),
            action: "create",
            source,
        })?;
        created.0.push(temp.clone());
        plan.write_part(index, &mut file)?;
        drop(file);
        finals.push((temp, out_dir.join(&part.file_name)));
    }
    for (temp, fin) in &finals {
        fs::rename(temp, fin).map_err(|source| WimError::Io {
            path: fin.clone(),
            action: "rename the finished part to",
            source,
        })?;
        created.0.push(fin.clone());
    }
    created.0.clear();
    Ok(finals.into_iter().map(|(_, fin)| fin).collect())
}

/// Files to remove if the split does not finish.
#[derive(Default)]
struct Created(Vec<PathBuf>);

impl Drop for Created {
    fn drop(&mut self) {
        for path in &self.0 {
            // Best effort: the error that got us here is the one to report.
            let _ = fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::Synth;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn synth() -> Synth {
        Synth {
            data: vec![9000, 9000, 9000, 9000],
            images: vec!["A"],
            integrity_chunk: Some(4096),
        }
    }

    #[test]
    fn writes_all_parts_and_nothing_else() {
        let src = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let path = synth().write_to(src.path());
        let written = split_to_dir(&path, out.path(), "install.swm", 15_000).unwrap();
        assert_eq!(written.len(), 4);
        assert_eq!(
            names(out.path()),
            [
                "install.swm",
                "install2.swm",
                "install3.swm",
                "install4.swm"
            ]
        );
        let plan = Wim::open(&path).unwrap().plan_split(15_000).unwrap();
        for (p, part) in written.iter().zip(&plan.parts) {
            assert_eq!(fs::metadata(p).unwrap().len(), part.size);
        }
    }

    #[test]
    fn failures_leave_no_files_behind() {
        let src = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let path = synth().write_to(src.path());
        assert!(split_to_dir(&path, out.path(), "install.swm", 5000).is_err());
        assert!(names(out.path()).is_empty());

        // Fails while writing: a folder sits where the second part's temp file goes.
        fs::create_dir(out.path().join(".install2.swm.partial")).unwrap();
        let err = split_to_dir(&path, out.path(), "install.swm", 15_000).unwrap_err();
        assert!(err.to_string().contains("install2.swm"), "{err}");
        assert_eq!(names(out.path()), [".install2.swm.partial"]);
    }
}
