//! `simulate serve` on the real binary: `/api/run` answers with the command line's bytes, bad
//! requests get a 400 with the command line's message, a client that goes away cancels its run,
//! a newer request of a session cancels the older, the page and its assets are served, and
//! Ctrl-C stops the server cleanly. The server survives every request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

const OPENAI: &str = "scenarios/openai.toml";

/// A running `simulate serve`, killed when dropped.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Process::new(env!("CARGO_BIN_EXE_simulate"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["serve", OPENAI, "--port", "0", "--threads", "2"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let address = loop {
            let line = lines
                .next()
                .expect("the server said where it listens")
                .unwrap();
            if let Some(rest) = line.strip_prefix("serving http://") {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, address }
    }

    /// GET `target`: the status and the body.
    fn get(&self, target: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8(response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").expect("a whole response");
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let chunked = head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked");
        (
            status,
            if chunked {
                dechunk(body)
            } else {
                body.to_string()
            },
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("simulate")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg(OPENAI)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_api_answers_like_the_command_line() {
    let server = Server::start(&["--max-paths", "200000"]);
    for (query, args) in [
        (
            "set=capex.partner_share%3D0.3&paths=20000",
            &["--set", "capex.partner_share=0.3", "--paths", "20000"][..],
        ),
        (
            "set=capex.years=6&set=streams.api.growth.mode=1.3&paths=3000&seed=9&sampler=sobol",
            &[
                "--set",
                "capex.years=6",
                "--set",
                "streams.api.growth.mode=1.3",
                "--paths",
                "3000",
                "--seed",
                "9",
                "--sampler",
                "sobol",
            ][..],
        ),
    ] {
        let (status, body) = server.get(&format!("/api/run?{query}"));
        assert_eq!(status, 200, "{body}");
        let expected = cli(&[args, &["--format", "json"][..]].concat());
        assert!(expected.status.success());
        assert_eq!(body, String::from_utf8(expected.stdout).unwrap(), "{query}");
    }
    // CSV too, as a download.
    let (status, body) = server.get("/api/run?paths=2000&format=csv&download=1");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        String::from_utf8(cli(&["--paths", "2000", "--format", "csv"]).stdout).unwrap()
    );
    // The HTML report of the view, with the command that reproduces it.
    let (status, page) = server.get("/api/run?set=capex.years%3D6&paths=2000&format=html");
    assert_eq!(status, 200);
    assert!(page.starts_with("<!DOCTYPE html>") || page.starts_with("<!doctype html>"));
    assert!(page.contains("simulate scenarios/openai.toml --set capex.years=6 --paths 2000"));
}

#[test]
fn bad_requests_get_the_command_line_message_and_the_server_goes_on() {
    let server = Server::start(&["--max-paths", "100000"]);
    // Bad values of the scenario: the same line the command line prints on stderr.
    for set in [
        "capex.partner_share=2",
        "capex.ops_shar=0.03",
        "capex.total={ dist = \"uniform\", min = 2e12, max = 1e12 }",
        "scenario.horizon=\"soon\"",
    ] {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("set", set)
            .append_pair("paths", "1000")
            .finish();
        let (status, body) = server.get(&format!("/api/run?{query}"));
        let expected = cli(&["--set", set, "--paths", "1000"]);
        assert_eq!(expected.status.code(), Some(2));
        assert_eq!(status, 400, "{set}: {body}");
        assert_eq!(body, String::from_utf8(expected.stderr).unwrap(), "{set}");
    }
    // Malformed queries, unknown parameters, paths over the bound.
    for (query, says) in [
        ("set=capex", "expected key.path=VALUE"),
        ("set=%ff%fe", "expected key.path=VALUE"),
        ("paths=abc", "invalid value 'abc' for '--paths <PATHS>'"),
        ("paths=0", "at least 1"),
        (
            "paths=100001",
            "more than this server runs per request (100000",
        ),
        (
            "paths=99999999999999999999999",
            "larger than the largest count",
        ),
        ("seed=-1", "--seed"),
        ("sampler=quasi", "expected mc, lhs or sobol"),
        ("colour=red", "unknown parameter 'colour'"),
        ("paths=1&paths=2", "multiple times"),
        ("session=%3Cscript%3E", "session:"),
    ] {
        let (status, body) = server.get(&format!("/api/run?{query}"));
        assert_eq!(status, 400, "{query}: {body}");
        assert!(
            body.starts_with("error: ") && body.contains(says),
            "{query}: {body}"
        );
        let (status, _) = server.get(&format!("/api/view?{query}"));
        assert_eq!(status, 400, "{query}");
    }
    // A path count the command line refuses: the same first line as clap's usage error.
    let (status, body) = server.get("/api/run?paths=1.5e3");
    let expected = cli(&["--paths", "1.5e3"]);
    assert_eq!(status, 400);
    let clap_line = String::from_utf8(expected.stderr).unwrap();
    assert_eq!(body.lines().next(), clap_line.lines().next());
    let (status, body) = server.get("/no/such/page");
    assert_eq!(status, 404, "{body}");
    // Still serving.
    let (status, body) = server.get("/api/run?paths=1000");
    assert_eq!(status, 200, "{body}");
}

#[test]
fn the_page_and_its_assets_are_served_from_the_binary() {
    let server = Server::start(&["--controls", "3"]);
    let (status, page) = server.get("/");
    assert_eq!(status, 200);
    assert!(page.contains("<script src=\"/app.js\">"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no CDN"
    );
    for asset in ["/app.js", "/style.css"] {
        let (status, body) = server.get(asset);
        assert_eq!(status, 200, "{asset}");
        assert!(
            !body.contains("https://"),
            "{asset} loads nothing from outside"
        );
    }
    let (status, body) = server.get("/api/controls");
    assert_eq!(status, 200);
    let controls: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(controls["shown"], 3);
    let list = controls["controls"].as_array().unwrap();
    // Every uncertain input, by the size of its swing, each slider within its own range.
    assert!(list.len() > 10);
    let swings: Vec<f64> = list
        .iter()
        .map(|c| c["swing"].as_f64().unwrap().abs())
        .collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    assert!(list.iter().all(|c| c["low"].as_f64() <= c["high"].as_f64()));
    assert!(list.iter().any(|c| c["key"] == "capex.partner_share"));

    let (status, body) =
        server.get("/api/view?set=capex.partner_share%3D0.4&paths=2000&session=t1");
    assert_eq!(status, 200, "{body}");
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(view["fan_chart"].as_str().unwrap().starts_with("<svg"));
    assert!(
        view["break_even_chart"]
            .as_str()
            .unwrap()
            .starts_with("<svg")
    );
    assert_eq!(view["report"]["paths"], 2000);
    assert_eq!(view["query"], "set=capex.partner_share%3D0.4&paths=2000");
}

/// Sends a request and returns at once, leaving the connection open.
fn send(address: SocketAddr, target: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    stream
}

#[test]
fn a_client_that_goes_away_cancels_its_run() {
    // One run at a time: the next request gets its turn only once the abandoned run stops. A
    // run of 5 million paths takes many seconds on this machine, longer than the 10 s a
    // request waits for its turn, so a 200 below means the first run was cancelled.
    let server = Server::start(&["--max-runs", "1"]);
    let stream = send(server.address, "/api/run?paths=5000000");
    std::thread::sleep(Duration::from_millis(300));
    drop(stream);
    let started = Instant::now();
    let (status, body) = server.get("/api/run?paths=1000");
    assert_eq!(status, 200, "{body}");
    eprintln!(
        "a request after an abandoned 5M-path run: {:?}",
        started.elapsed()
    );
}

#[test]
fn a_newer_request_of_a_session_cancels_the_older() {
    let server = Server::start(&["--max-runs", "2"]);
    let address = server.address;
    let old = std::thread::spawn(move || {
        let mut stream = send(address, "/api/view?paths=5000000&session=tab");
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    });
    std::thread::sleep(Duration::from_millis(300));
    let (status, body) = server.get("/api/view?paths=1000&session=tab");
    assert_eq!(status, 200, "{body}");
    let old = old.join().unwrap();
    assert!(old.starts_with("HTTP/1.1 409"), "{old}");
    assert!(old.contains("a newer request of the same session"), "{old}");
}

#[test]
fn ctrl_c_stops_the_server_during_a_run() {
    let mut server = Server::start(&[]);
    let _busy = send(server.address, "/api/run?paths=5000000");
    std::thread::sleep(Duration::from_millis(300));
    let status = Process::new("kill")
        .args(["-INT", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let signalled = Instant::now();
    let code = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status.code();
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(10),
            "still serving 10 s after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    eprintln!(
        "SIGINT to exit, with a run in flight: {:?}",
        signalled.elapsed()
    );
    assert_eq!(code, Some(0));
}

#[test]
fn a_bad_scenario_stops_the_server_before_it_listens() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[scenario]\nname = 3\n").unwrap();
    let out = Command::cargo_bin("simulate")
        .unwrap()
        .args(["serve", file.to_str().unwrap(), "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("bad.toml:2"), "{stderr}");
    assert!(!stderr.contains("serving"), "{stderr}");
}

/// Sends `raw` (a whole request) and reads the whole response: the status, the head and the
/// body's bytes (de-chunked).
fn exchange(address: SocketAddr, raw: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a whole response");
    let head = String::from_utf8(response[..end].to_vec()).unwrap();
    let mut body = &response[end + 4..];
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return (status, head, body.to_vec());
    }
    let mut out = Vec::new();
    loop {
        let line = body.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..line]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return (status, head, out);
        }
        out.extend_from_slice(&body[line + 2..line + 2 + size]);
        body = &body[line + 2 + size + 2..];
    }
}

fn workbook(bytes: &[u8]) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let rows = book
                .worksheet_range(&name)
                .unwrap()
                .rows()
                .map(|r| r.to_vec())
                .collect();
            (name, rows)
        })
        .collect()
}

/// The xlsx download is an attachment named after the scenario, and holds the command line's
/// workbook for the same arguments: every sheet the same, but the run's wall time.
#[test]
fn the_xlsx_download_is_the_command_lines_workbook() {
    let server = Server::start(&[]);
    let (status, head, body) = exchange(
        server.address,
        &format!(
            "GET /api/run?set=capex.years%3D6&paths=3000&seed=4&format=xlsx HTTP/1.1\r\nHost: \
             {}\r\nConnection: close\r\n\r\n",
            server.address
        ),
    );
    assert_eq!(status, 200, "{head}");
    let head = head.to_ascii_lowercase();
    assert!(
        head.contains(
            "content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        "{head}"
    );
    assert!(
        head.contains("content-disposition: attachment; filename=\"openai.xlsx\""),
        "{head}"
    );
    assert_eq!(&body[..2], b"PK", "an xlsx file is a zip archive");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cli.xlsx");
    let out = cli(&[
        "--set",
        "capex.years=6",
        "--paths",
        "3000",
        "--seed",
        "4",
        "--format",
        "xlsx",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let served = workbook(&body);
    let expected = workbook(&std::fs::read(&file).unwrap());
    let names = |b: &[(String, Vec<Vec<calamine::Data>>)]| -> Vec<String> {
        b.iter().map(|(n, _)| n.clone()).collect()
    };
    assert_eq!(names(&served), names(&expected));
    assert!(names(&served).contains(&"thresholds".to_string()));
    for ((name, rows), (_, want)) in served.iter().zip(&expected) {
        if name == "run" {
            continue;
        }
        assert_eq!(rows, want, "sheet {name}");
    }
}

/// A request naming another host (a page of another site whose name was pointed at this
/// address: DNS rebinding) gets a 403 that says why, and the server goes on serving.
#[test]
fn a_foreign_host_header_is_refused_and_the_server_goes_on() {
    let server = Server::start(&[]);
    let port = server.address.port();
    for host in [
        format!("attacker.example:{port}"),
        format!("localhost.attacker.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
    ] {
        let (status, _, body) = exchange(
            server.address,
            &format!(
                "GET /api/run?paths=1000 HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            ),
        );
        let body = String::from_utf8(body).unwrap();
        assert_eq!(status, 403, "{host}: {body}");
        assert!(
            body.starts_with("error: ")
                && body.contains("DNS rebinding")
                && body.contains(&format!("http://{}/", server.address)),
            "{host}: {body}"
        );
    }
    // No Host at all (HTTP/1.0): refused too.
    let (status, _, body) = exchange(server.address, "GET / HTTP/1.0\r\n\r\n");
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    // The page and the API, by address and by localhost, still answer.
    let (status, body) = server.get("/api/run?paths=1000");
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = exchange(
        server.address,
        &format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 200);
}
