//! The throwaway cluster starts, serves, and leaves nothing behind.

mod common;

use pgdrift::source::cluster::Cluster;

#[tokio::test]
async fn harness_database_accepts_sql() {
    let db = common::db_with("harness", "CREATE TABLE t (id int PRIMARY KEY);").await;
    let client = db.client().await;
    let row = client
        .query_one("SELECT count(*) FROM pg_class WHERE relname = 't'", &[])
        .await
        .expect("query");
    assert_eq!(row.get::<_, i64>(0), 1);
}

#[test]
fn cluster_is_removed_on_drop() {
    let cluster = Cluster::start().expect("start cluster");
    let data = cluster.data_dir();
    assert!(data.join("PG_VERSION").is_file());
    let port = cluster.port();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(cluster);
    assert!(!data.exists(), "data directory left behind");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "server still listening after drop"
    );
}

/// The second cluster starts from the first one's `initdb` result; a broken entry is replaced
/// by a fresh `initdb` rather than failing the run.
#[test]
fn clusters_start_from_the_cached_initdb_result() {
    use pgdrift::source::cluster::{ClusterOptions, TemplateCache};
    let cache = tempfile::tempdir().expect("temporary directory");
    let options = ClusterOptions {
        template_cache: TemplateCache::In(cache.path().to_path_buf()),
        ..ClusterOptions::default()
    };
    let entries = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(cache.path())
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    };
    let answers = |cluster: &Cluster| {
        let out = std::process::Command::new(cluster.bindir().join("psql"))
            .args(["-XAtqc", "SELECT count(*) FROM pg_database"])
            .arg(cluster.url("postgres"))
            .output();
        // psql lives beside the server binaries in every package we know; when it does not,
        // a TCP connection at least shows the server is up.
        match out {
            Ok(out) => {
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "3");
            }
            Err(_) => assert!(std::net::TcpStream::connect(("127.0.0.1", cluster.port())).is_ok()),
        }
    };

    let first = Cluster::start_with(&options).expect("start a cluster with an empty cache");
    answers(&first);
    let stored = entries();
    assert_eq!(stored.len(), 1, "one entry: {stored:?}");
    assert!(stored[0].join("PG_VERSION").is_file());
    // The entry is initdb's result, not the running cluster's configured copy.
    let conf = std::fs::read_to_string(stored[0].join("postgresql.conf")).unwrap();
    assert!(!conf.contains("pgdrift throwaway cluster"), "{conf}");
    drop(first);

    let second = Cluster::start_with(&options).expect("start a cluster from the cache");
    answers(&second);
    drop(second);

    // A corrupt entry: the server cannot start from it, so pgdrift runs initdb after all.
    std::fs::remove_dir_all(stored[0].join("global")).unwrap();
    let third = Cluster::start_with(&options).expect("start a cluster despite a broken entry");
    answers(&third);
    assert!(
        !stored[0].join("PG_VERSION").exists() || stored[0].join("global").is_dir(),
        "the broken entry was kept"
    );
}
