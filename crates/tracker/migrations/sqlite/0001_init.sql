-- Pecyn tracker schema (SQLite). Times are Unix milliseconds (BIGINT) so the
-- same Rust types decode on SQLite and PostgreSQL.
CREATE TABLE organisations (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL UNIQUE,
    name_en            TEXT    NOT NULL,
    name_cy            TEXT    NOT NULL,
    kind               TEXT    NOT NULL,
    region             TEXT    NOT NULL,
    contribution_pence BIGINT  NOT NULL DEFAULT 0,
    contribution_date  TEXT,
    status             TEXT    NOT NULL DEFAULT 'active',
    retention_months   BIGINT,
    pseudonym_secret   TEXT    NOT NULL,
    created_at         BIGINT  NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT    PRIMARY KEY,
    org_id      BIGINT  REFERENCES organisations(id),
    role        TEXT    NOT NULL,
    secret_hash TEXT    NOT NULL,
    label       TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_org ON api_keys(org_id);

CREATE TABLE packages (
    id          TEXT    NOT NULL,
    version     TEXT    NOT NULL,
    module      TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    lang        TEXT    NOT NULL,
    variant     TEXT    NOT NULL,
    scorm       TEXT    NOT NULL,
    file        TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    bytes       BIGINT  NOT NULL,
    imported_at BIGINT  NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    org_id          BIGINT  NOT NULL REFERENCES organisations(id),
    event_id        TEXT    NOT NULL,
    learner         TEXT    NOT NULL,
    package_id      TEXT    NOT NULL,
    package_version TEXT    NOT NULL,
    edition         TEXT,
    verb            TEXT    NOT NULL,
    score           DOUBLE PRECISION,
    duration_s      BIGINT,
    occurred_at     BIGINT  NOT NULL,
    received_at     BIGINT  NOT NULL,
    source          TEXT    NOT NULL,
    UNIQUE (org_id, event_id)
);
CREATE INDEX events_org_learner ON events(org_id, learner);
CREATE INDEX events_occurred ON events(occurred_at);

CREATE TABLE imports (
    id         INTEGER PRIMARY KEY,
    org_id     BIGINT  NOT NULL REFERENCES organisations(id),
    filename   TEXT    NOT NULL,
    format     TEXT    NOT NULL,
    row_count  BIGINT  NOT NULL,
    accepted   BIGINT  NOT NULL,
    duplicates BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX imports_org ON imports(org_id);

CREATE TABLE xapi_statements (
    org_id       BIGINT  NOT NULL REFERENCES organisations(id),
    statement_id TEXT    NOT NULL,
    learner      TEXT    NOT NULL,
    statement    TEXT    NOT NULL,
    stored_at    BIGINT  NOT NULL,
    PRIMARY KEY (org_id, statement_id)
);
CREATE INDEX xapi_org_learner ON xapi_statements(org_id, learner);
CREATE INDEX xapi_stored ON xapi_statements(stored_at);
