-- 0002: reports for co-funders.
--
-- Rollups. learner_firsts holds, per organisation x package x learner, the
-- time of the learner's first event, first completion (completed or
-- passed) and first pass, with the score and duration of that first
-- completion. report_daily counts those firsts per organisation x package
-- x London day; report_hist keeps score and minutes histograms of first
-- completions on the same key (for medians). Because each learner counts
-- once, on the day of their first, the counts add up across days exactly.
--
-- Triggers on events keep all three up to date in the transaction that
-- inserts or deletes the events, whichever path does it (ingest, CSV
-- import, xAPI, erasure, retention), and a re-delivered event (ON CONFLICT
-- DO NOTHING) inserts nothing and so counts nothing.
--
-- A London day is (t + offset) / 86400000 with the offset read from
-- tz_london, generated from chrono-tz for 1970-2100 (a unit test in
-- src/domain/reports/period.rs checks these rows).

CREATE TABLE tz_london (
    start_ms  BIGINT PRIMARY KEY,
    offset_ms BIGINT NOT NULL
);
INSERT INTO tz_london (start_ms, offset_ms) VALUES
(0,3600000),(57722400000,0),(69818400000,3600000),(89172000000,0),(101268000000,3600000),(120621600000,0),
(132717600000,3600000),(152071200000,0),(164167200000,3600000),(183520800000,0),(196221600000,3600000),(214970400000,0),
(227671200000,3600000),(246420000000,0),(259120800000,3600000),(278474400000,0),(290570400000,3600000),(309924000000,0),
(322020000000,3600000),(341373600000,0),(354675600000,3600000),(372819600000,0),(386125200000,3600000),(404269200000,0),
(417574800000,3600000),(435718800000,0),(449024400000,3600000),(467773200000,0),(481078800000,3600000),(499222800000,0),
(512528400000,3600000),(530672400000,0),(543978000000,3600000),(562122000000,0),(575427600000,3600000),(593571600000,0),
(606877200000,3600000),(625626000000,0),(638326800000,3600000),(657075600000,0),(670381200000,3600000),(688525200000,0),
(701830800000,3600000),(719974800000,0),(733280400000,3600000),(751424400000,0),(764730000000,3600000),(782874000000,0),
(796179600000,3600000),(814323600000,0),(828234000000,3600000),(846378000000,0),(859683600000,3600000),(877827600000,0),
(891133200000,3600000),(909277200000,0),(922582800000,3600000),(941331600000,0),(954032400000,3600000),(972781200000,0),
(985482000000,3600000),(1004230800000,0),(1017536400000,3600000),(1035680400000,0),(1048986000000,3600000),(1067130000000,0),
(1080435600000,3600000),(1099184400000,0),(1111885200000,3600000),(1130634000000,0),(1143334800000,3600000),(1162083600000,0),
(1174784400000,3600000),(1193533200000,0),(1206838800000,3600000),(1224982800000,0),(1238288400000,3600000),(1256432400000,0),
(1269738000000,3600000),(1288486800000,0),(1301187600000,3600000),(1319936400000,0),(1332637200000,3600000),(1351386000000,0),
(1364691600000,3600000),(1382835600000,0),(1396141200000,3600000),(1414285200000,0),(1427590800000,3600000),(1445734800000,0),
(1459040400000,3600000),(1477789200000,0),(1490490000000,3600000),(1509238800000,0),(1521939600000,3600000),(1540688400000,0),
(1553994000000,3600000),(1572138000000,0),(1585443600000,3600000),(1603587600000,0),(1616893200000,3600000),(1635642000000,0),
(1648342800000,3600000),(1667091600000,0),(1679792400000,3600000),(1698541200000,0),(1711846800000,3600000),(1729990800000,0),
(1743296400000,3600000),(1761440400000,0),(1774746000000,3600000),(1792890000000,0),(1806195600000,3600000),(1824944400000,0),
(1837645200000,3600000),(1856394000000,0),(1869094800000,3600000),(1887843600000,0),(1901149200000,3600000),(1919293200000,0),
(1932598800000,3600000),(1950742800000,0),(1964048400000,3600000),(1982797200000,0),(1995498000000,3600000),(2014246800000,0),
(2026947600000,3600000),(2045696400000,0),(2058397200000,3600000),(2077146000000,0),(2090451600000,3600000),(2108595600000,0),
(2121901200000,3600000),(2140045200000,0),(2153350800000,3600000),(2172099600000,0),(2184800400000,3600000),(2203549200000,0),
(2216250000000,3600000),(2234998800000,0),(2248304400000,3600000),(2266448400000,0),(2279754000000,3600000),(2297898000000,0),
(2311203600000,3600000),(2329347600000,0),(2342653200000,3600000),(2361402000000,0),(2374102800000,3600000),(2392851600000,0),
(2405552400000,3600000),(2424301200000,0),(2437606800000,3600000),(2455750800000,0),(2469056400000,3600000),(2487200400000,0),
(2500506000000,3600000),(2519254800000,0),(2531955600000,3600000),(2550704400000,0),(2563405200000,3600000),(2582154000000,0),
(2595459600000,3600000),(2613603600000,0),(2626909200000,3600000),(2645053200000,0),(2658358800000,3600000),(2676502800000,0),
(2689808400000,3600000),(2708557200000,0),(2721258000000,3600000),(2740006800000,0),(2752707600000,3600000),(2771456400000,0),
(2784762000000,3600000),(2802906000000,0),(2816211600000,3600000),(2834355600000,0),(2847661200000,3600000),(2866410000000,0),
(2879110800000,3600000),(2897859600000,0),(2910560400000,3600000),(2929309200000,0),(2942010000000,3600000),(2960758800000,0),
(2974064400000,3600000),(2992208400000,0),(3005514000000,3600000),(3023658000000,0),(3036963600000,3600000),(3055712400000,0),
(3068413200000,3600000),(3087162000000,0),(3099862800000,3600000),(3118611600000,0),(3131917200000,3600000),(3150061200000,0),
(3163366800000,3600000),(3181510800000,0),(3194816400000,3600000),(3212960400000,0),(3226266000000,3600000),(3245014800000,0),
(3257715600000,3600000),(3276464400000,0),(3289165200000,3600000),(3307914000000,0),(3321219600000,3600000),(3339363600000,0),
(3352669200000,3600000),(3370813200000,0),(3384118800000,3600000),(3402867600000,0),(3415568400000,3600000),(3434317200000,0),
(3447018000000,3600000),(3465766800000,0),(3479072400000,3600000),(3497216400000,0),(3510522000000,3600000),(3528666000000,0),
(3541971600000,3600000),(3560115600000,0),(3573421200000,3600000),(3592170000000,0),(3604870800000,3600000),(3623619600000,0),
(3636320400000,3600000),(3655069200000,0),(3668374800000,3600000),(3686518800000,0),(3699824400000,3600000),(3717968400000,0),
(3731274000000,3600000),(3750022800000,0),(3762723600000,3600000),(3781472400000,0),(3794173200000,3600000),(3812922000000,0),
(3825622800000,3600000),(3844371600000,0),(3857677200000,3600000),(3875821200000,0),(3889126800000,3600000),(3907270800000,0),
(3920576400000,3600000),(3939325200000,0),(3952026000000,3600000),(3970774800000,0),(3983475600000,3600000),(4002224400000,0),
(4015530000000,3600000),(4033674000000,0),(4046979600000,3600000),(4065123600000,0),(4078429200000,3600000),(4096573200000,0);

CREATE TABLE learner_firsts (
    org_id       BIGINT NOT NULL REFERENCES organisations(id),
    package_id   TEXT   NOT NULL,
    learner      TEXT   NOT NULL,
    first_at     BIGINT,
    completed_at BIGINT,
    passed_at    BIGINT,
    score        DOUBLE PRECISION,
    duration_s   BIGINT,
    PRIMARY KEY (org_id, package_id, learner)
);

CREATE TABLE report_daily (
    org_id     BIGINT NOT NULL,
    package_id TEXT   NOT NULL,
    day        BIGINT NOT NULL,
    started    BIGINT NOT NULL,
    completed  BIGINT NOT NULL,
    passed     BIGINT NOT NULL,
    PRIMARY KEY (org_id, package_id, day)
);
CREATE INDEX report_daily_day ON report_daily(day);

-- kind: 'score' (whole percent) or 'minutes' (whole minutes, 600 = 600+).
CREATE TABLE report_hist (
    org_id     BIGINT NOT NULL,
    package_id TEXT   NOT NULL,
    day        BIGINT NOT NULL,
    kind       TEXT   NOT NULL,
    bucket     BIGINT NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (org_id, package_id, day, kind, bucket)
);
CREATE INDEX report_hist_day ON report_hist(day);

-- Staff headcount per organisation; audience '' is the whole organisation.
CREATE TABLE org_headcounts (
    org_id     BIGINT NOT NULL REFERENCES organisations(id),
    audience   TEXT   NOT NULL,
    headcount  BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, audience)
);

-- The co-funding campaign's target (one row).
CREATE TABLE funding_campaign (
    id           BIGINT PRIMARY KEY CHECK (id = 1),
    target_orgs  BIGINT NOT NULL,
    target_pence BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- Each organisation's funding status: pledged, invoiced or paid.
CREATE TABLE org_funding (
    org_id       BIGINT PRIMARY KEY REFERENCES organisations(id),
    status       TEXT   NOT NULL,
    amount_pence BIGINT NOT NULL,
    pledged_on   TEXT,
    invoiced_on  TEXT,
    paid_on      TEXT,
    updated_at   BIGINT NOT NULL
);

-- 1: listed on the public "who has joined" page.
ALTER TABLE organisations ADD COLUMN public_listing BIGINT NOT NULL DEFAULT 0;

-- Dashboard sign-in sessions; the cookie value is stored only as SHA-256.
CREATE TABLE dashboard_sessions (
    id_hash    TEXT   PRIMARY KEY,
    key_id     TEXT   NOT NULL,
    role       TEXT   NOT NULL,
    org_id     BIGINT,
    csrf       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_expires ON dashboard_sessions(expires_at);

CREATE FUNCTION london_day(t BIGINT) RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT (t + COALESCE((SELECT offset_ms FROM tz_london WHERE start_ms <= t
                          ORDER BY start_ms DESC LIMIT 1), 0)) / 86400000
$$;

-- Backfill from events stored before this migration.
INSERT INTO learner_firsts (org_id, package_id, learner, first_at, completed_at, passed_at)
SELECT org_id, package_id, learner, MIN(occurred_at),
       MIN(CASE WHEN verb IN ('completed', 'passed') THEN occurred_at END),
       MIN(CASE WHEN verb = 'passed' THEN occurred_at END)
FROM events GROUP BY org_id, package_id, learner;

UPDATE learner_firsts SET
    score = (SELECT e.score FROM events e WHERE e.org_id = learner_firsts.org_id
             AND e.learner = learner_firsts.learner AND e.package_id = learner_firsts.package_id
             AND e.verb IN ('completed', 'passed') ORDER BY e.occurred_at, e.id LIMIT 1),
    duration_s = (SELECT e.duration_s FROM events e WHERE e.org_id = learner_firsts.org_id
             AND e.learner = learner_firsts.learner AND e.package_id = learner_firsts.package_id
             AND e.verb IN ('completed', 'passed') ORDER BY e.occurred_at, e.id LIMIT 1)
WHERE completed_at IS NOT NULL;

INSERT INTO report_daily (org_id, package_id, day, started, completed, passed)
SELECT org_id, package_id, day, SUM(s), SUM(c), SUM(p) FROM (
    SELECT org_id, package_id, london_day(first_at) AS day, 1 AS s, 0 AS c, 0 AS p FROM learner_firsts
    UNION ALL
    SELECT org_id, package_id, london_day(completed_at), 0, 1, 0 FROM learner_firsts WHERE completed_at IS NOT NULL
    UNION ALL
    SELECT org_id, package_id, london_day(passed_at), 0, 0, 1 FROM learner_firsts WHERE passed_at IS NOT NULL
) f GROUP BY org_id, package_id, day;

INSERT INTO report_hist (org_id, package_id, day, kind, bucket, n)
SELECT org_id, package_id, day, kind, bucket, COUNT(*) FROM (
    SELECT org_id, package_id, london_day(completed_at) AS day, 'score' AS kind,
           CAST(ROUND(score) AS BIGINT) AS bucket
    FROM learner_firsts WHERE completed_at IS NOT NULL AND score IS NOT NULL
    UNION ALL
    SELECT org_id, package_id, london_day(completed_at), 'minutes', LEAST(duration_s / 60, 600)
    FROM learner_firsts WHERE completed_at IS NOT NULL AND duration_s IS NOT NULL
) h GROUP BY org_id, package_id, day, kind, bucket;

-- Adds sign x one learner's firsts to the rollups; NULL parts are skipped.
CREATE FUNCTION report_apply(o BIGINT, p TEXT, first_at BIGINT, completed_at BIGINT, passed_at BIGINT,
                             score DOUBLE PRECISION, duration_s BIGINT, sign BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE d BIGINT;
BEGIN
    IF first_at IS NOT NULL THEN
        d := london_day(first_at);
        INSERT INTO report_daily AS r VALUES (o, p, d, sign, 0, 0)
        ON CONFLICT (org_id, package_id, day) DO UPDATE SET started = r.started + sign;
    END IF;
    IF passed_at IS NOT NULL THEN
        d := london_day(passed_at);
        INSERT INTO report_daily AS r VALUES (o, p, d, 0, 0, sign)
        ON CONFLICT (org_id, package_id, day) DO UPDATE SET passed = r.passed + sign;
    END IF;
    IF completed_at IS NOT NULL THEN
        d := london_day(completed_at);
        INSERT INTO report_daily AS r VALUES (o, p, d, 0, sign, 0)
        ON CONFLICT (org_id, package_id, day) DO UPDATE SET completed = r.completed + sign;
        IF score IS NOT NULL THEN
            INSERT INTO report_hist AS h VALUES (o, p, d, 'score', CAST(ROUND(score) AS BIGINT), sign)
            ON CONFLICT (org_id, package_id, day, kind, bucket) DO UPDATE SET n = h.n + sign;
        END IF;
        IF duration_s IS NOT NULL THEN
            INSERT INTO report_hist AS h VALUES (o, p, d, 'minutes', LEAST(duration_s / 60, 600), sign)
            ON CONFLICT (org_id, package_id, day, kind, bucket) DO UPDATE SET n = h.n + sign;
        END IF;
    END IF;
    IF sign < 0 THEN
        DELETE FROM report_daily r WHERE r.org_id = o AND r.package_id = p
            AND r.started = 0 AND r.completed = 0 AND r.passed = 0
            AND r.day IN (london_day(first_at), london_day(completed_at), london_day(passed_at));
        DELETE FROM report_hist h WHERE h.org_id = o AND h.package_id = p AND h.n = 0
            AND h.day = london_day(completed_at);
    END IF;
END
$$;

CREATE FUNCTION firsts_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE c_changed BOOLEAN;
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM report_apply(NEW.org_id, NEW.package_id, NEW.first_at, NEW.completed_at, NEW.passed_at,
                             NEW.score, NEW.duration_s, 1);
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM report_apply(OLD.org_id, OLD.package_id, OLD.first_at, OLD.completed_at, OLD.passed_at,
                             OLD.score, OLD.duration_s, -1);
        RETURN NULL;
    END IF;
    c_changed := OLD.completed_at IS DISTINCT FROM NEW.completed_at
        OR OLD.score IS DISTINCT FROM NEW.score OR OLD.duration_s IS DISTINCT FROM NEW.duration_s;
    PERFORM report_apply(OLD.org_id, OLD.package_id,
        CASE WHEN OLD.first_at IS DISTINCT FROM NEW.first_at THEN OLD.first_at END,
        CASE WHEN c_changed THEN OLD.completed_at END,
        CASE WHEN OLD.passed_at IS DISTINCT FROM NEW.passed_at THEN OLD.passed_at END,
        OLD.score, OLD.duration_s, -1);
    PERFORM report_apply(NEW.org_id, NEW.package_id,
        CASE WHEN OLD.first_at IS DISTINCT FROM NEW.first_at THEN NEW.first_at END,
        CASE WHEN c_changed THEN NEW.completed_at END,
        CASE WHEN OLD.passed_at IS DISTINCT FROM NEW.passed_at THEN NEW.passed_at END,
        NEW.score, NEW.duration_s, 1);
    RETURN NULL;
END
$$;

CREATE TRIGGER firsts_rollup AFTER INSERT OR UPDATE OR DELETE ON learner_firsts
    FOR EACH ROW EXECUTE FUNCTION firsts_rollup();

CREATE FUNCTION events_firsts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO learner_firsts (org_id, package_id, learner, first_at, completed_at, passed_at, score, duration_s)
    VALUES (NEW.org_id, NEW.package_id, NEW.learner, NEW.occurred_at,
            CASE WHEN NEW.verb IN ('completed', 'passed') THEN NEW.occurred_at END,
            CASE WHEN NEW.verb = 'passed' THEN NEW.occurred_at END,
            CASE WHEN NEW.verb IN ('completed', 'passed') THEN NEW.score END,
            CASE WHEN NEW.verb IN ('completed', 'passed') THEN NEW.duration_s END)
    ON CONFLICT (org_id, package_id, learner) DO UPDATE SET
        first_at = CASE WHEN excluded.first_at < learner_firsts.first_at
                        THEN excluded.first_at ELSE learner_firsts.first_at END,
        completed_at = CASE WHEN excluded.completed_at < learner_firsts.completed_at OR learner_firsts.completed_at IS NULL
                            THEN excluded.completed_at ELSE learner_firsts.completed_at END,
        score = CASE WHEN excluded.completed_at < learner_firsts.completed_at OR learner_firsts.completed_at IS NULL
                     THEN excluded.score ELSE learner_firsts.score END,
        duration_s = CASE WHEN excluded.completed_at < learner_firsts.completed_at OR learner_firsts.completed_at IS NULL
                          THEN excluded.duration_s ELSE learner_firsts.duration_s END,
        passed_at = CASE WHEN excluded.passed_at < learner_firsts.passed_at OR learner_firsts.passed_at IS NULL
                         THEN excluded.passed_at ELSE learner_firsts.passed_at END
    WHERE excluded.first_at < learner_firsts.first_at
       OR (excluded.completed_at IS NOT NULL
           AND (learner_firsts.completed_at IS NULL OR excluded.completed_at < learner_firsts.completed_at))
       OR (excluded.passed_at IS NOT NULL
           AND (learner_firsts.passed_at IS NULL OR excluded.passed_at < learner_firsts.passed_at));
        RETURN NULL;
    END IF;
    UPDATE learner_firsts SET
        first_at = (SELECT MIN(e.occurred_at) FROM events e WHERE e.org_id = OLD.org_id
                    AND e.learner = OLD.learner AND e.package_id = OLD.package_id),
        completed_at = (SELECT MIN(e.occurred_at) FROM events e WHERE e.org_id = OLD.org_id
                    AND e.learner = OLD.learner AND e.package_id = OLD.package_id
                    AND e.verb IN ('completed', 'passed')),
        passed_at = (SELECT MIN(e.occurred_at) FROM events e WHERE e.org_id = OLD.org_id
                    AND e.learner = OLD.learner AND e.package_id = OLD.package_id AND e.verb = 'passed'),
        score = (SELECT e.score FROM events e WHERE e.org_id = OLD.org_id
                    AND e.learner = OLD.learner AND e.package_id = OLD.package_id
                    AND e.verb IN ('completed', 'passed') ORDER BY e.occurred_at, e.id LIMIT 1),
        duration_s = (SELECT e.duration_s FROM events e WHERE e.org_id = OLD.org_id
                    AND e.learner = OLD.learner AND e.package_id = OLD.package_id
                    AND e.verb IN ('completed', 'passed') ORDER BY e.occurred_at, e.id LIMIT 1)
    WHERE org_id = OLD.org_id AND package_id = OLD.package_id AND learner = OLD.learner
      AND (first_at = OLD.occurred_at OR completed_at = OLD.occurred_at OR passed_at = OLD.occurred_at);
    DELETE FROM learner_firsts
    WHERE org_id = OLD.org_id AND package_id = OLD.package_id AND learner = OLD.learner
      AND first_at IS NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_firsts AFTER INSERT OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_firsts();
