//! A sink that keeps everything in memory: for tests, golden checks and the corpus
//! benchmark's parse-only mode. Not for production ingest (that streams into the store).

use sk_core::{Record, RecordKind, SessionMeta, Sink, SinkError};

/// Collects what a connector pushes, applying metadata merges and rewinds like the store does.
#[derive(Debug, Default, Clone)]
pub struct MemorySink {
    pub meta: SessionMeta,
    pub records: Vec<Record>,
    pub system_prompts: Vec<String>,
    pub damage: Vec<(u64, u64, String)>,
    pub rewinds: u64,
}

impl MemorySink {
    pub fn count(&self, kind: RecordKind) -> usize {
        self.records.iter().filter(|r| r.kind() == kind).count()
    }
    pub fn of(&self, kind: RecordKind) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(move |r| r.kind() == kind)
    }
}

impl Sink for MemorySink {
    fn meta(&mut self, meta: &SessionMeta) -> Result<(), SinkError> {
        self.meta.merge(meta);
        Ok(())
    }
    fn record(&mut self, record: &Record) -> Result<(), SinkError> {
        self.records.push(record.clone());
        Ok(())
    }
    fn rewind(&mut self, up_to_event_id: &str) -> Result<(), SinkError> {
        if let Some(cut) = self
            .records
            .iter()
            .find(|r| r.event_id.as_deref() == Some(up_to_event_id))
            .map(|r| r.offset)
        {
            self.records.retain(|r| r.offset <= cut);
            self.rewinds += 1;
        }
        Ok(())
    }
    fn system_prompt(&mut self, _hash: &str, text: &str) -> Result<(), SinkError> {
        self.system_prompts.push(text.to_string());
        Ok(())
    }
    fn damage(&mut self, offset: u64, len: u64, reason: &str) -> Result<(), SinkError> {
        self.damage.push((offset, len, reason.to_string()));
        Ok(())
    }
}
