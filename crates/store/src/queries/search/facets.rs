//! What the ranked matches count into facets, and the matches this server
//! does not show (hosts its policy suspends or silences).

use super::{Candidate, Facets};
use crate::{
    Store, StoreError,
    queries::{
        params::{self, Params},
        policy::Verdict,
    },
};
use sea_orm::{DbBackend, Statement};
use std::collections::{BTreeMap, HashMap};

impl Store {
    /// Drops items of hosts whose content this server does not show:
    /// suspended or silenced (or not allowed, in allow-list mode). Their
    /// items may have been stored before the policy was set.
    pub(super) async fn without_refused_hosts(
        &self,
        candidates: Vec<Candidate>,
    ) -> Result<Vec<Candidate>, StoreError> {
        // Every remote host among them at once: a catalogue federated
        // from many servers had a read per host on every search.
        let mut hosts: Vec<&str> = candidates
            .iter()
            .filter_map(|c| c.remote_domain.as_deref())
            .collect();
        hosts.sort_unstable();
        hosts.dedup();
        let verdicts = self.get_host_verdicts(&hosts).await?;
        let hidden: HashMap<String, bool> = hosts
            .iter()
            .zip(verdicts)
            .map(|(host, verdict)| {
                let hide = matches!(verdict, Verdict::Refused | Verdict::Silenced);
                ((*host).to_owned(), hide)
            })
            .collect();
        Ok(candidates
            .into_iter()
            .filter(|c| {
                c.remote_domain
                    .as_ref()
                    .is_none_or(|d| !hidden.get(d).copied().unwrap_or(false))
            })
            .collect())
    }

    /// How many of `candidates` carry each tag, counted by the database
    /// and read as one row (the candidates' ids bound as one JSON array):
    /// read as a row per item and tag, a thousand candidates' tags were
    /// thousands of rows handed over one by one.
    async fn tag_counts(
        &self,
        candidates: &[Candidate],
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        if candidates.is_empty() {
            return Ok(BTreeMap::new());
        }
        let backend = self.backend();
        let mut p = Params::new(backend);
        let ids: Vec<i64> = candidates.iter().map(|c| c.id).collect();
        let list = p.push(serde_json::Value::from(ids).to_string());
        // SQLite: the ids drive the primary key's lookups (CROSS JOIN keeps
        // them the outer loop), rather than a walk of every item's tags.
        let counted = match backend {
            DbBackend::Postgres => format!(
                "SELECT tag, COUNT(*) AS n FROM item_tag \
                 WHERE item_id IN (SELECT json_array_elements_text({list}::json)::bigint) \
                 GROUP BY tag"
            ),
            _ => format!(
                "SELECT t.tag AS tag, COUNT(*) AS n FROM json_each({list}) j \
                 CROSS JOIN item_tag t ON t.item_id = j.value GROUP BY t.tag"
            ),
        };
        let sql = format!(
            "SELECT {} AS tags FROM ({counted}) c",
            params::json_agg(
                backend,
                &params::json_tuple(backend, &["c.tag", "c.n"]),
                None
            )
        );
        let statement = Statement::from_sql_and_values(backend, sql, p.values);
        let counts: Vec<(String, u64)> =
            params::json_rows(self.reader(), statement, "tags").await?;
        Ok(counts.into_iter().collect())
    }

    pub(super) async fn facets(
        &self,
        candidates: &[Candidate],
        local: &str,
    ) -> Result<Facets, StoreError> {
        let mut f = Facets::default();
        let bump =
            |m: &mut BTreeMap<String, u64>, k: &str| *m.entry(k.to_owned()).or_default() += 1;
        for c in candidates {
            bump(&mut f.kind, &c.kind);
            bump(&mut f.language, &c.language);
            if let Some(l) = &c.license {
                bump(&mut f.license, l);
            }
            match (&c.agency_slug, &c.remote_domain) {
                (Some(slug), _) => {
                    bump(&mut f.agency, slug);
                    bump(&mut f.instance, local);
                }
                (None, Some(domain)) => {
                    let who = match &c.remote_user {
                        Some(user) => format!("{user}@{domain}"),
                        None => c.remote_ap_id.clone().unwrap_or_default(),
                    };
                    bump(&mut f.agency, &who);
                    bump(&mut f.instance, domain);
                }
                (None, None) => {}
            }
            for theme in c.themes.split_whitespace() {
                bump(&mut f.theme, theme);
            }
        }
        f.tag = self.tag_counts(candidates).await?;
        Ok(f)
    }
}
