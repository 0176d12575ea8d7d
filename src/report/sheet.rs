//! Tables of typed cells, the common form of every result for Markdown and Excel.
//!
//! A renderer (see [`super::Exporter`]) lays its result out as [`Sheet`]s: a name, a title,
//! notes, column headers and rows of [`Cell`]s that keep their [`Unit`]. [`markdown`] formats
//! the cells for reading (`$1.40T`, `12.3%`) and [`xlsx`] writes them as numbers with an
//! Excel number format, so a spreadsheet gets the full-precision values.

use std::fmt::Write;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

use super::format::{self, thousands};
use crate::unit::Unit;

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A number in a unit.
    Value(f64, Unit),
    /// A plain number: a parameter value, a correlation.
    Number(f64),
    /// A count of paths or evaluations.
    Count(u64),
    Year(i32),
    Empty,
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A number in `unit`, or an empty cell when there is none.
    pub fn optional(x: Option<f64>, unit: Unit) -> Cell {
        x.map_or(Cell::Empty, |x| Cell::Value(x, unit))
    }

    /// A year, or "never" (not within the horizon).
    pub fn year(y: Option<i32>) -> Cell {
        y.map_or_else(|| Cell::text("never"), Cell::Year)
    }

    /// An optional text.
    pub fn source(s: Option<&str>) -> Cell {
        s.map_or(Cell::Empty, Cell::text)
    }

    fn is_numeric(&self) -> bool {
        matches!(
            self,
            Cell::Value(..) | Cell::Number(_) | Cell::Count(_) | Cell::Year(_)
        )
    }

    /// The cell as a reader sees it.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Value(x, unit) => format::value(*unit, *x),
            Cell::Number(x) => format::number(*x, 6),
            Cell::Count(n) => thousands(*n),
            Cell::Year(y) => y.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A named table: one worksheet, one Markdown section.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The worksheet's name (at most 31 characters, no `[]:*?/\`).
    pub name: String,
    /// The section's heading.
    pub title: String,
    /// Lines said before the table.
    pub notes: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// An empty sheet with these column headers.
    pub fn new(name: &str, title: impl Into<String>, columns: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            title: title.into(),
            notes: Vec::new(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a note said before the table.
    pub fn note(mut self, note: impl Into<String>) -> Sheet {
        self.notes.push(note.into());
        self
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }
}

/// A sheet of facts: one row per name and value.
pub fn facts(title: &str, facts: Vec<(&str, Cell)>) -> Sheet {
    let mut sheet = Sheet::new("run", title, &["fact", "value"]);
    for (name, value) in facts {
        sheet.row(vec![Cell::text(name), value]);
    }
    sheet
}

impl Cell {
    /// The cell for a machine: numbers at full precision (shortest round-trip form).
    fn raw(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Value(x, _) | Cell::Number(x) => x.to_string(),
            Cell::Count(n) => n.to_string(),
            Cell::Year(y) => y.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A sheet as CSV: its header and rows, numbers at full precision (notes are left out).
pub fn csv(sheet: &Sheet) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(&sheet.columns)
        .expect("writing CSV to memory cannot fail");
    for row in &sheet.rows {
        let mut cells: Vec<String> = row.iter().map(Cell::raw).collect();
        cells.resize(sheet.columns.len(), String::new());
        w.write_record(&cells)
            .expect("writing CSV to memory cannot fail");
    }
    let bytes = w.into_inner().expect("flushing CSV to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8")
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The sheets as Markdown: a `#` title, then a `##` section per sheet with its notes and a
/// table (numbers right-aligned).
pub fn markdown(title: &str, sheets: &[Sheet]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", escape(title));
    for sheet in sheets {
        let _ = writeln!(out, "## {}\n", escape(&sheet.title));
        for note in &sheet.notes {
            let _ = writeln!(out, "{}\n", note);
        }
        if sheet.columns.is_empty() {
            continue;
        }
        let numeric: Vec<bool> = (0..sheet.columns.len())
            .map(|c| {
                sheet
                    .rows
                    .iter()
                    .any(|r| r.get(c).is_some_and(Cell::is_numeric))
            })
            .collect();
        let header: Vec<String> = sheet.columns.iter().map(|c| escape(c)).collect();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let rule: Vec<&str> = numeric
            .iter()
            .map(|&n| if n { "---:" } else { "---" })
            .collect();
        let _ = writeln!(out, "|{}|", rule.join("|"));
        for row in &sheet.rows {
            let cells: Vec<String> = (0..sheet.columns.len())
                .map(|c| row.get(c).map(|x| escape(&x.display())).unwrap_or_default())
                .collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out.push('\n');
    }
    out
}

/// The Excel number format of a unit.
fn number_format(unit: Unit) -> &'static str {
    match unit {
        Unit::Usd => "$#,##0",
        Unit::People => "#,##0",
        Unit::Probability | Unit::Share => "0.00%",
    }
}

/// The sheets as an Excel workbook, one worksheet each: a bold header row (frozen), numbers
/// as numbers with their unit's number format. The file's creation time is fixed so the same
/// result gives the same bytes.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2025, 1, 1)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let formats: Vec<(Unit, Format)> = [Unit::Usd, Unit::People, Unit::Probability, Unit::Share]
        .into_iter()
        .map(|u| (u, Format::new().set_num_format(number_format(u))))
        .collect();
    let count = Format::new().set_num_format("#,##0");
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(&sheet.name)?;
        let mut row = 0u32;
        for note in &sheet.notes {
            ws.write_string(row, 0, note)?;
            row += 1;
        }
        if !sheet.notes.is_empty() {
            row += 1;
        }
        for (c, header) in sheet.columns.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, header, &bold)?;
        }
        if !sheet.columns.is_empty() {
            ws.set_freeze_panes(row + 1, 0)?;
        }
        for cells in &sheet.rows {
            row += 1;
            for (c, cell) in cells.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(row, c, s)?;
                    }
                    Cell::Value(x, unit) if x.is_finite() => {
                        let f = &formats
                            .iter()
                            .find(|(u, _)| u == unit)
                            .expect("every unit")
                            .1;
                        ws.write_number_with_format(row, c, *x, f)?;
                    }
                    Cell::Value(x, _) | Cell::Number(x) if !x.is_finite() => {
                        ws.write_string(row, c, x.to_string())?;
                    }
                    Cell::Value(x, _) | Cell::Number(x) => {
                        ws.write_number(row, c, *x)?;
                    }
                    Cell::Count(n) => {
                        ws.write_number_with_format(row, c, *n as f64, &count)?;
                    }
                    Cell::Year(y) => {
                        ws.write_number(row, c, *y)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        for (c, header) in sheet.columns.iter().enumerate() {
            let widest = sheet
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|x| x.display().chars().count())
                .chain([header.chars().count()])
                .max()
                .unwrap_or(8);
            ws.set_column_width(c as u16, (widest + 2).clamp(8, 60) as f64)?;
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_aligns_numbers_and_escapes_pipes() {
        let mut sheet = Sheet::new("t", "T", &["name", "p"]).note("a note");
        sheet.row(vec![
            Cell::text("a|b"),
            Cell::Value(0.123, Unit::Probability),
        ]);
        let md = markdown("Title", &[sheet]);
        assert!(md.starts_with("# Title\n\n## T\n\na note\n\n| name | p |\n|---|---:|\n"));
        assert!(md.contains("| a\\|b | 12.3% |"), "{md}");
    }
}
