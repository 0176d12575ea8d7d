//! Helpers shared by the test modules: the Kolmogorov–Smirnov statistic, and the check that an
//! HTML report is well-formed XML.

/// The Kolmogorov–Smirnov statistic of the sample `xs` against the CDF `cdf`: the largest
/// distance between the empirical and the given CDF.
pub fn ks_statistic(xs: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

/// Parses `html` as XML (every tag closed and nested, every entity escaped), panicking where
/// it is not well formed, and returns the number of `<svg>` elements in it.
pub fn well_formed_svgs(html: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(html);
    let mut stack: Vec<String> = Vec::new();
    let mut svgs = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                svgs += usize::from(name == "svg");
                stack.push(name);
            }
            Ok(quick_xml::events::Event::End(e)) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()));
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    svgs
}
