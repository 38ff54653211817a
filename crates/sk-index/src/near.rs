//! Finding the few existing entries worth a near-duplicate comparison, in memory. An FTS
//! query per candidate scored every entry sharing a common word ("failed", "test") and
//! made extraction cost ten times the ingest; an inverted index of title words, built once
//! per run and kept up to date as entries are added, picks the shortlist in microseconds.
//! The shingle sets of shortlisted entries are kept too: a popular entry is compared with
//! thousands of candidates, and re-normalizing its text each time was a quarter of the run.

use std::collections::HashMap;

use sk_core::Category;
use sk_extract::Shingles;

/// Words shared by more entries than this say nothing about similarity.
const TOO_COMMON: usize = 1000;

/// Title words of every entry, by category.
#[derive(Debug, Default)]
pub struct NearIndex {
    postings: HashMap<(Category, String), Vec<i64>>,
    shingles: HashMap<i64, Shingles>,
}

impl NearIndex {
    pub fn add(&mut self, id: i64, category: Category, title: &str) {
        for word in words(title) {
            let list = self.postings.entry((category, word)).or_default();
            if list.last() != Some(&id) {
                list.push(id);
            }
        }
    }

    /// The shingles of entry `id`, computed by `text` the first time they are needed.
    /// Entry texts never change during a run (merging adds provenance, not words).
    pub fn shingles<E>(
        &mut self,
        id: i64,
        text: impl FnOnce() -> Result<Option<String>, E>,
    ) -> Result<Option<&Shingles>, E> {
        use std::collections::hash_map::Entry;
        match self.shingles.entry(id) {
            Entry::Occupied(known) => Ok(Some(known.into_mut())),
            Entry::Vacant(slot) => Ok(text()?.map(|t| &*slot.insert(Shingles::new(&t)))),
        }
    }

    /// Drops the cached shingles of an entry that no longer exists (its postings stay:
    /// a shortlisted id without text is skipped).
    pub fn forget(&mut self, id: i64) {
        self.shingles.remove(&id);
    }

    /// Up to `k` entries of `category` sharing the most title words with `title` (at least
    /// two, or all of a short title's), best first, ties by id.
    pub fn shortlist(&self, category: Category, title: &str, k: usize) -> Vec<i64> {
        let words = words(title);
        let mut shared: HashMap<i64, usize> = HashMap::new();
        for w in &words {
            if let Some(list) = self.postings.get(&(category, w.clone()))
                && list.len() <= TOO_COMMON
            {
                for id in list {
                    *shared.entry(*id).or_default() += 1;
                }
            }
        }
        let need = words.len().clamp(1, 2);
        let mut best: Vec<(usize, i64)> = shared
            .into_iter()
            .filter(|(_, n)| *n >= need)
            .map(|(id, n)| (n, id))
            .collect();
        best.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        best.into_iter().take(k).map(|(_, id)| id).collect()
    }
}

fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortlists_entries_sharing_title_words() {
        let mut idx = NearIndex::default();
        idx.add(
            1,
            Category::Mistake,
            "`cargo test` failed: mismatched types in src/auth.rs",
        );
        idx.add(2, Category::Mistake, "`npm test` failed: cannot find module");
        idx.add(3, Category::Decision, "cargo test mismatched types auth");
        assert_eq!(
            idx.shortlist(
                Category::Mistake,
                "cargo test failed: mismatched types in src/auth.rs",
                5
            )[0],
            1
        );
        assert!(
            !idx.shortlist(Category::Mistake, "mismatched types", 5)
                .contains(&3),
            "categories stay apart"
        );
        assert!(
            idx.shortlist(Category::Mistake, "completely different words", 5)
                .is_empty()
        );
    }
}
