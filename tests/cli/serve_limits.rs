//! `csvault serve` under connections and requests that need no credentials, or only the access key
//! (which is not secret): neither a flood of silent connections nor idle keep-alive connections
//! keep a signed request out, and large bodies nobody could sign are not all held in memory.

use crate::support::TestVault;
use crate::support::serve::{AK, Client, allow_open_files};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Whether the server closed `stream` (end of stream or reset) within `within`.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => panic!("the server sent something"),
        Err(e) => e.kind() == ErrorKind::ConnectionReset,
    }
}

#[test]
fn a_thousand_connections_that_send_nothing_do_not_delay_a_signed_request() {
    // 1,000 sockets here, up to 512 in the server, which inherits the limit.
    let limit = allow_open_files(4096);
    assert!(limit >= 2048, "the hard limit of open files is {limit}");
    let vault = TestVault::new();
    let server = vault.serve();
    let silent: Vec<TcpStream> = (0..1000)
        .map(|_| TcpStream::connect_timeout(&server.address(), Duration::from_secs(5)).unwrap())
        .collect();

    let started = Instant::now();
    server.client().get("secrets").ok();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "the signed request took {took:?}"
    );

    drop(silent);
    let (_, log) = server.stop();
    assert!(
        log.contains("connection limit reached (512 at once, 256 per client address)"),
        "{log}"
    );
}

#[test]
fn a_connection_that_sends_no_whole_request_head_is_closed_within_seconds() {
    let vault = TestVault::new();
    let server = vault.serve();
    let mut silent = TcpStream::connect(server.address()).unwrap();
    let mut partial = TcpStream::connect(server.address()).unwrap();
    partial
        .write_all(b"GET /v1/p/secrets HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let started = Instant::now();
    assert!(closed_within(&mut silent, Duration::from_secs(15)));
    assert!(closed_within(&mut partial, Duration::from_secs(15)));
    let took = started.elapsed();
    assert!(
        took > Duration::from_secs(3) && took < Duration::from_secs(10),
        "closed after {took:?}, not about 5 s"
    );
}

#[test]
fn idle_keep_alive_connections_give_way_to_new_ones_at_the_cap() {
    allow_open_files(2048);
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    let path = format!("/v1/{}/secrets", c.project);
    // More keep-alive connections from one address than it may hold, each idle after a request.
    let mut idle: Vec<TcpStream> = (0..300)
        .map(|i| {
            let mut stream = TcpStream::connect(server.address()).unwrap();
            assert_eq!(c.exchange(&mut stream, "GET", &path), Some(200), "#{i}");
            stream
        })
        .collect();

    let started = Instant::now();
    c.get("secrets").ok();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        closed_within(&mut idle[0], Duration::from_secs(2)),
        "the oldest idle connection was closed to make room"
    );
    let newest = idle.last_mut().unwrap();
    assert_eq!(
        c.exchange(newest, "GET", &path),
        Some(200),
        "a recent one still serves"
    );
}

#[test]
fn large_bodies_only_the_access_key_signs_do_not_make_the_server_hold_them_all() {
    allow_open_files(2048);
    let vault = TestVault::new();
    let server = vault.serve();
    server.client().get("secrets").ok();
    let before = server.resident_bytes();

    // The access key is no secret: anyone may sign with it and a wrong secret key, so the
    // signature can only be found wrong once the whole body is in.
    let stranger = Client::new(
        &server.base,
        &server.project_id,
        AK,
        "not-the-secret-key-0123456789abcdefghij",
    );
    let path = format!("/v1/{}/secrets", server.project_id);
    let mut wire = stranger.wire("POST", &path, &vec![b'x'; 1 << 20]);
    // The last byte never comes, so each body is held as long as the server reads it.
    wire.pop();
    let mut senders: Vec<(TcpStream, usize)> = (0..200)
        .map(|_| {
            let stream = TcpStream::connect(server.address()).unwrap();
            stream.set_nonblocking(true).unwrap();
            (stream, 0)
        })
        .collect();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(4) {
        for (stream, sent) in &mut senders {
            if *sent < wire.len() {
                match stream.write(&wire[*sent..]) {
                    Ok(n) => *sent += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => panic!("{e}"),
                }
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let grown = server.resident_bytes().saturating_sub(before);
    assert!(
        grown < 64 << 20,
        "200 bodies of 1 MiB grew the server by {} MiB",
        grown >> 20
    );

    let started = Instant::now();
    server.client().get("secrets").ok();
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_refused_request_closes_its_connection() {
    let vault = TestVault::new();
    let server = vault.serve();
    let stranger = Client::new(
        &server.base,
        &server.project_id,
        AK,
        "not-the-secret-key-0123456789abcdefghij",
    );
    let mut stream = TcpStream::connect(server.address()).unwrap();
    let path = format!("/v1/{}/secrets", server.project_id);
    assert_eq!(stranger.exchange(&mut stream, "GET", &path), Some(401));
    assert!(
        closed_within(&mut stream, Duration::from_secs(2)),
        "closed after the 401"
    );
}
