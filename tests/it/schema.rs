//! The two databases must not drift: same tables, same columns.

use crate::support::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let lite = TestDb::sqlite().await;
    let a = lite.storage.schema().await.unwrap();
    let b = pg.storage.schema().await.unwrap();
    assert!(!a.is_empty());
    assert_eq!(
        a, b,
        "SQLite and PostgreSQL schemas differ: fix the migrations"
    );
}
