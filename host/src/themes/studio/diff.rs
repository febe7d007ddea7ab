//! The diff stored with each published version: what changed against the version before, file
//! by file, as removed (`-`) and added (`+`) lines around a line number (`@@ line N`). Text
//! files are compared line by line (longest common subsequence); binary files, and text files
//! too long to compare cheaply, are reported as changed.

use super::Files;

/// Lines per file above which a text file is only reported as changed (the comparison costs
/// the product of both files' line counts).
const MAX_LINES: usize = 3000;

/// The diff from `old` to `new`; empty when they are the same.
pub fn diff(old: &Files, new: &Files) -> String {
    let mut out = String::new();
    let mut paths: Vec<&String> = old.keys().chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        let (a, b) = (old.get(path), new.get(path));
        if a == b {
            continue;
        }
        match (a, b) {
            (None, Some(_)) => out.push_str(&format!("added {path}\n")),
            (Some(_), None) => out.push_str(&format!("removed {path}\n")),
            _ => out.push_str(&format!("changed {path}\n")),
        }
        let text = |bytes: Option<&Vec<u8>>| match bytes {
            None => Some(Vec::new()),
            Some(b) => std::str::from_utf8(b)
                .ok()
                .map(|t| t.lines().map(str::to_owned).collect::<Vec<_>>()),
        };
        match (text(a), text(b)) {
            (Some(a), Some(b)) if a.len() <= MAX_LINES && b.len() <= MAX_LINES => {
                out.push_str(&lines(&a, &b));
            }
            (Some(_), Some(_)) => out.push_str("(too long to compare line by line)\n"),
            _ => out.push_str("(binary file)\n"),
        }
    }
    out
}

/// The changed lines of `a` → `b`, each run preceded by `@@ line N` (N counts in `b`).
fn lines(a: &[String], b: &[String]) -> String {
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    let mut in_run = false;
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
            in_run = false;
            continue;
        }
        if !in_run {
            out.push_str(&format!("@@ line {}\n", j + 1));
            in_run = true;
        }
        if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push_str(&format!("-{}\n", a[i]));
            i += 1;
        } else {
            out.push_str(&format!("+{}\n", b[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(p, t)| ((*p).to_owned(), t.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn names_changed_lines() {
        let old = files(&[("a.html", "one\ntwo\nthree"), ("gone.css", "x")]);
        let new = files(&[("a.html", "one\n2\nthree"), ("new.css", "y")]);
        let d = diff(&old, &new);
        assert_eq!(
            d,
            "changed a.html\n@@ line 2\n-two\n+2\nremoved gone.css\n@@ line 1\n-x\nadded new.css\n@@ line 1\n+y\n"
        );
        assert_eq!(diff(&old, &old), "");
    }
}
