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
