//! [`RedactingSink`]: the redaction of `super::redact` applied to everything a connector
//! pushes (record text, files, session metadata, system prompts), counted per kind.

use std::collections::BTreeMap;

use sk_core::{Record, SessionMeta, Sink, SinkError};

use super::redact;

/// Redacts everything a connector pushes before it reaches `inner`, and counts what it
/// replaced (for the index summary). Records without secrets pass through without a copy.
pub struct RedactingSink<'a> {
    inner: &'a mut dyn Sink,
    counts: BTreeMap<&'static str, u64>,
}

impl std::fmt::Debug for RedactingSink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedactingSink")
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

impl<'a> RedactingSink<'a> {
    pub fn new(inner: &'a mut dyn Sink) -> RedactingSink<'a> {
        RedactingSink {
            inner,
            counts: BTreeMap::new(),
        }
    }

    /// Secrets replaced so far, per kind.
    pub fn counts(&self) -> &BTreeMap<&'static str, u64> {
        &self.counts
    }

    /// Secrets replaced so far, all kinds.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// `text` redacted, or `None` when it holds no secret.
    fn scrub(&mut self, text: &str) -> Option<String> {
        let redacted = redact(text)?;
        for (kind, n) in redacted.counts {
            *self.counts.entry(kind).or_default() += u64::from(n);
        }
        Some(redacted.text)
    }

    fn scrub_field(&mut self, field: &Option<String>) -> Option<String> {
        field.as_deref().and_then(|text| self.scrub(text))
    }
}

impl Sink for RedactingSink<'_> {
    fn meta(&mut self, meta: &SessionMeta) -> Result<(), SinkError> {
        let mut patched: Option<SessionMeta> = None;
        macro_rules! scrub_fields {
            ($($field:ident),*) => {$(
                if let Some(clean) = self.scrub_field(&meta.$field) {
                    patched.get_or_insert_with(|| meta.clone()).$field = Some(clean);
                }
            )*};
        }
        scrub_fields!(
            cwd,
            repo,
            branch,
            head_commit,
            title,
            model,
            agent_version,
            parent_session
        );
        self.inner.meta(patched.as_ref().unwrap_or(meta))
    }

    fn record(&mut self, record: &Record) -> Result<(), SinkError> {
        let text = self.scrub(&record.text);
        let mut files: Option<Vec<String>> = None;
        for (index, file) in record.files.iter().enumerate() {
            if let Some(clean) = self.scrub(file)
                && let Some(slot) = files.get_or_insert_with(|| record.files.clone()).get_mut(index)
            {
                *slot = clean;
            }
        }
        if text.is_none() && files.is_none() {
            return self.inner.record(record);
        }
        let mut patched = record.clone();
        if let Some(text) = text {
            patched.text = text;
        }
        if let Some(files) = files {
            patched.files = files;
        }
        self.inner.record(&patched)
    }

    fn rewind(&mut self, up_to_event_id: &str) -> Result<(), SinkError> {
        self.inner.rewind(up_to_event_id)
    }

    fn system_prompt(&mut self, hash: &str, text: &str) -> Result<(), SinkError> {
        // The hash identifies the prompt for de-duplication; it stays that of the original.
        match self.scrub(text) {
            Some(clean) => self.inner.system_prompt(hash, &clean),
            None => self.inner.system_prompt(hash, text),
        }
    }

    fn damage(&mut self, offset: u64, len: u64, reason: &str) -> Result<(), SinkError> {
        self.inner.damage(offset, len, reason)
    }
}
