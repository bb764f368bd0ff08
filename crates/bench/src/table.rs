//! The one table the suite prints: each Deling figure beside the ceiling
//! measured in the same run, and their ratio.

/// One line of the table.
pub struct Row {
    /// What was measured.
    pub measure: String,
    /// Deling's figure, as printed.
    pub deling: String,
    /// The ceiling's figure, as printed (empty when there is none).
    pub ceiling: String,
    /// Deling's figure over the ceiling's, when both are rates.
    pub ratio: Option<f64>,
}

impl Row {
    /// A rate beside its ceiling's rate.
    pub fn rate(
        measure: impl Into<String>,
        deling: f64,
        deling_text: String,
        ceiling: f64,
        ceiling_text: String,
    ) -> Self {
        Self {
            measure: measure.into(),
            deling: deling_text,
            ceiling: ceiling_text,
            ratio: (ceiling > 0.0).then(|| deling / ceiling),
        }
    }
}

/// Prints `rows` as a Markdown table.
pub fn print(rows: &[Row]) {
    println!("| measure | Deling | ceiling in the same run | ratio |");
    println!("|---|---|---|---|");
    for r in rows {
        let ratio = r.ratio.map(|x| format!("{x:.2}")).unwrap_or_default();
        println!("| {} | {} | {} | {ratio} |", r.measure, r.deling, r.ceiling);
    }
}
