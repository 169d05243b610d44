//! Files that are never content: editors' temporary, swap and backup files,
//! OS litter and hidden files. Loading, layouts and the watcher share this.

/// Whether a path (its components below `content/` or `layouts/`) is ignored.
pub fn is_ignored_path(rel: &[&str]) -> bool {
    let Some((name, dirs)) = rel.split_last() else {
        return false;
    };
    dirs.iter().any(|d| d.starts_with('.')) // .git/, .obsidian/, …
        || is_ignored(name)
}

/// Whether a single file or folder name is ignored.
pub fn is_ignored(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    name.starts_with('.') // .x.md.swp, .#x.md, .goutputstream-*, .DS_Store
        || name.ends_with('~') // x.md~ (vim, Emacs backups)
        || (name.starts_with('#') && name.ends_with('#')) // Emacs auto-save
        || name.contains("___jb_tmp___")
        || name.contains("___jb_old___")
        || is_vim_probe(name)
        || matches!(
            ext,
            "swp" | "swo" | "swn" | "swx" | "swpx" | "tmp" | "temp" | "crdownload" | "part" | "kate-swp"
        )
        || lower == "thumbs.db"
        || lower == "desktop.ini"
}

/// Vim checks that a directory is writable by creating `4913` (then 5036,
/// 5159, … if that exists).
fn is_vim_probe(name: &str) -> bool {
    name.len() <= 6
        && name
            .parse::<u32>()
            .is_ok_and(|n| n >= 4913 && (n - 4913) % 123 == 0)
        && name.bytes().all(|b| b.is_ascii_digit())
}
