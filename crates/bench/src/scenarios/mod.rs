//! The scenarios, each printing rows of the one table.

pub mod fanout;
pub mod growth;
pub mod inbox;
pub mod memory;
pub mod reads;

use deling_domain::item::{ItemContent, RawItem};

/// The `n`th of the generated items the scenarios publish.
pub fn item(n: usize) -> anyhow::Result<ItemContent> {
    ItemContent::parse(RawItem {
        kind: Some("guide".into()),
        title: Some(format!("Veileder nummer {n} om byggesak")),
        summary: Some("Slik gjorde vi det, steg for steg.".into()),
        body: Some("# Steg 1\n\nLes *dette* først.\n\n# Steg 2\n\nGjør det.".into()),
        language: Some("nb".into()),
        tags: Some(vec![format!("tema{}", n % 50), "byggesak".into()]),
        license: Some(Some("CC-BY-4.0".into())),
        links: Some(vec![]),
        metadata: None,
        based_on: None,
    })
    .map_err(|e| anyhow::anyhow!("generated item {n} is refused: {e:?}"))
}
