//! Redaction (`sk_ingest::redact`) on arbitrary text, directly and through the sink every
//! ingested record passes (text, files and session metadata).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sk_core::{Record, RecordKind, SessionMeta, Sink};
use sk_ingest::memory_sink::MemorySink;
use sk_ingest::redact::{KINDS, RedactingSink, redact};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(r) = redact(&text) {
        assert!(r.total() > 0, "a redaction that replaced nothing");
        assert_ne!(r.text, text, "a redaction that changed nothing");
        for (kind, n) in &r.counts {
            assert!(KINDS.contains(kind) && *n > 0, "kind {kind} counted {n}");
            assert!(
                r.text.contains(&format!("[REDACTED:{kind}]")),
                "no marker for {kind}"
            );
        }
    }
    let mut inner = MemorySink::default();
    let mut sink = RedactingSink::new(&mut inner);
    let mut record = Record::new(RecordKind::ToolCall, 0, text.as_ref());
    record.files = text.lines().map(str::to_string).collect();
    sink.record(&record).expect("memory sink");
    let meta = SessionMeta {
        cwd: Some(text.to_string()),
        title: Some(text.to_string()),
        ..SessionMeta::default()
    };
    sink.meta(&meta).expect("memory sink");
    let total = sink.total();
    assert_eq!(inner.records.len(), 1);
    assert_eq!(
        inner.records[0].files.len(),
        record.files.len(),
        "redaction lost a file"
    );
    let _ = total;
});
