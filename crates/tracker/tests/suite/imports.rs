//! CSV imports: each format, all-or-nothing, idempotent re-import.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

use crate::common::*;
use crate::dual;

dual!(
    each_format_imports,
    a_bad_row_rejects_the_file,
    reimport_counts_nothing_twice
);

async fn upload(ctx: &Ctx, token: &str, csv: &str) -> Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports?filename=report.csv")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.to_owned()))
        .expect("request");
    ctx.send(req).await
}

const MOODLE: &str =
    "\u{feff}Username,First name,Last name,Course short name,Time completed,Grade\n\
    jbloggs,Joe,Bloggs,pecyn_passwords_en_standard_scorm12,\"Friday, 1 May 2026, 10:00 AM\",85.00\n\
    adavies,Ann,Davies,pecyn_passwords_cy_standard_scorm12,\"Saturday, 2 May 2026, 2:15 PM\",\n\
    ejones,Eve,Jones,pecyn_passwords_en_standard_scorm12,,\n";

const TOTARA: &str = "username,courseshortname,courseidnumber,completiondate,grade\n\
    jbloggs,,pecyn_phishing_en_accessible_scorm2004,2026-04-30,90\n\
    adavies,passwords-en-standard-scorm12.zip,,30/04/2026,\n";

const GENERIC: &str = "learner,package,verb,timestamp,score,duration_seconds,edition\n\
    u1,pecyn_passwords_en_standard_scorm12,started,2026-05-01T09:00:00Z,,,2026-27\n\
    u1,pecyn_passwords_en_standard_scorm12,passed,2026-05-01T09:20:00Z,80,1200,2026-27\n";

async fn each_format_imports(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("flintshire").await;
    for (csv, format, accepted, skipped) in [
        (MOODLE, "moodle", 2, 1),
        (TOTARA, "totara", 2, 0),
        (GENERIC, "generic", 2, 0),
    ] {
        let r = upload(&ctx, &org.admin, csv).await;
        assert_eq!(r.status, StatusCode::CREATED, "{format}: {}", r.text);
        assert_eq!(r.json["format"], format);
        assert_eq!(r.json["accepted"], accepted, "{}", r.text);
        assert_eq!(r.json["skipped"], skipped, "{}", r.text);
    }
    assert_eq!(ctx.count_events("flintshire").await, 6);
    let r = ctx.get("/api/v1/imports", &org.admin).await;
    assert_eq!(r.json["imports"].as_array().map(Vec::len), Some(3));
    assert!(!ctx.dump_learner_columns().await.contains("jbloggs"));
    // Ingest keys cannot import; wrong content type is a 415.
    assert_eq!(
        upload(&ctx, &org.ingest, GENERIC).await.status,
        StatusCode::FORBIDDEN
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports")
        .header(header::AUTHORIZATION, format!("Bearer {}", org.admin))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .expect("req");
    let r = ctx.send(req).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json["error"]["code"], "unsupported_media_type");
    // An unrecognised header row.
    let r = upload(&ctx, &org.admin, "name,course,date\na,b,c\n").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json["error"]["code"], "unknown_format");
}

async fn a_bad_row_rejects_the_file(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("denbighshire").await;
    let csv = "learner,package,verb,timestamp,score\n\
        u1,pecyn_passwords_en_standard_scorm12,passed,2026-05-01T09:20:00Z,80\n\
        u2,pecyn_passwords_en_standard_scorm12,finished,2026-05-01,\n\
        u3,no_such_course,completed,2026-05-01,\n\
        u4,pecyn_passwords_en_standard_scorm12,completed,yesterday,101\n\
        u5,pecyn_passwords_en_standard_scorm12,completed,2026-05-01\n";
    let r = upload(&ctx, &org.admin, csv).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json["error"]["code"], "invalid_rows");
    let lines: Vec<u64> = r.json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|x| x["line"].as_u64())
        .collect();
    assert_eq!(lines, vec![3, 4, 5, 6], "{}", r.text);
    assert_eq!(
        r.json["rows"][2]["errors"].as_array().map(Vec::len),
        Some(2),
        "both faults of line 5 reported"
    );
    assert_eq!(ctx.count_events("denbighshire").await, 0, "nothing stored");
    assert_eq!(
        ctx.get("/api/v1/imports", &org.admin).await.json["imports"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

async fn reimport_counts_nothing_twice(b: Backend) {
    let Some(ctx) = Ctx::new(b).await else { return };
    ctx.import_catalogue().await;
    let org = ctx.create_org("anglesey").await;
    let first = upload(&ctx, &org.admin, MOODLE).await;
    assert_eq!(first.json["accepted"], 2);
    let again = upload(&ctx, &org.admin, MOODLE).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json["accepted"], 0);
    assert_eq!(again.json["duplicates"], 2);
    assert_eq!(ctx.count_events("anglesey").await, 2);
}
