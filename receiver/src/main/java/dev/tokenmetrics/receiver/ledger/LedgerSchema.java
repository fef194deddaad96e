package dev.tokenmetrics.receiver.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The ledger's schema, a public interface (docs/LEDGER.md): versioned by SQLite's {@code user_version}, changed only
 * by appending a migration, each applied once, in its own transaction.
 */
final class LedgerSchema {

    /** Version 1: the requests, where the transcripts were read to, the sessions. */
    private static final String REQUESTS = """
            CREATE TABLE requests (
              key                      TEXT PRIMARY KEY,
              source                   TEXT NOT NULL CHECK (source IN ('telemetry', 'transcript')),
              session_id               TEXT NOT NULL,
              time_ms                  INTEGER NOT NULL,
              time                     TEXT GENERATED ALWAYS AS
                                         (strftime('%Y-%m-%dT%H:%M:%fZ', time_ms / 1000.0, 'unixepoch')) VIRTUAL,
              model                    TEXT NOT NULL,
              input_tokens             INTEGER NOT NULL,
              output_tokens            INTEGER NOT NULL,
              cache_read_tokens        INTEGER NOT NULL,
              cache_creation_tokens    INTEGER NOT NULL,
              cache_creation_5m_tokens INTEGER NOT NULL,
              cache_creation_1h_tokens INTEGER NOT NULL,
              cost_usd                 TEXT,
              cost_source              TEXT NOT NULL
                                         CHECK (cost_source IN ('exact', 'learned', 'table', 'unpriced')),
              request_id               TEXT,
              duration_ms              INTEGER,
              ttft_ms                  INTEGER,
              query_source             TEXT,
              effort                   TEXT,
              speed                    TEXT,
              agent_name               TEXT,
              skill_name               TEXT,
              prompt_id                TEXT,
              user_id                  TEXT,
              organization_id          TEXT,
              account_uuid             TEXT,
              terminal                 TEXT,
              version                  TEXT,
              project                  TEXT,
              cwd                      TEXT,
              git_branch               TEXT,
              message_id               TEXT,
              transcript               TEXT
            );
            CREATE INDEX requests_by_time ON requests (time_ms);
            CREATE INDEX requests_by_session ON requests (session_id, time_ms);
            CREATE INDEX requests_by_transcript ON requests (transcript) WHERE transcript IS NOT NULL;
            CREATE TABLE transcript_scan (
              id    INTEGER PRIMARY KEY CHECK (id = 1),
              state TEXT NOT NULL
            );
            CREATE VIEW sessions AS
              SELECT session_id,
                     min(time) AS first_request, max(time) AS last_request, count(*) AS requests,
                     sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
                     sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
                     sum(cost_usd) AS cost_usd, sum(cost_source = 'unpriced') AS unpriced_requests,
                     max(project) AS project, max(cwd) AS cwd
              FROM requests GROUP BY session_id;
            """;

    /**
     * Version 2: all-time totals by model, project (the launcher's attribute, else the transcript's cwd) and git
     * branch, kept equal to the sums over {@code requests} by triggers, so that reading them (Prometheus' scrape)
     * costs the same whatever the history's length.
     */
    private static final String USAGE_TOTALS = """
            CREATE TABLE usage_totals (
              model                 TEXT NOT NULL,
              project               TEXT NOT NULL,
              git_branch            TEXT NOT NULL,
              requests              INTEGER NOT NULL,
              input_tokens          INTEGER NOT NULL,
              output_tokens         INTEGER NOT NULL,
              cache_read_tokens     INTEGER NOT NULL,
              cache_creation_tokens INTEGER NOT NULL,
              cost_usd              REAL NOT NULL,
              PRIMARY KEY (model, project, git_branch)
            ) WITHOUT ROWID;
            INSERT INTO usage_totals
              SELECT model, coalesce(project, cwd, ''), coalesce(git_branch, ''), count(*), sum(input_tokens),
                     sum(output_tokens), sum(cache_read_tokens), sum(cache_creation_tokens), total(cost_usd)
              FROM requests GROUP BY 1, 2, 3;
            CREATE TRIGGER usage_totals_insert AFTER INSERT ON requests BEGIN
              INSERT INTO usage_totals VALUES (new.model, coalesce(new.project, new.cwd, ''),
                  coalesce(new.git_branch, ''), 1, new.input_tokens, new.output_tokens, new.cache_read_tokens,
                  new.cache_creation_tokens, coalesce(CAST(new.cost_usd AS REAL), 0))
                ON CONFLICT (model, project, git_branch) DO UPDATE SET requests = requests + 1,
                  input_tokens = input_tokens + excluded.input_tokens,
                  output_tokens = output_tokens + excluded.output_tokens,
                  cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
                  cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
                  cost_usd = cost_usd + excluded.cost_usd;
            END;
            CREATE TRIGGER usage_totals_delete AFTER DELETE ON requests BEGIN
              UPDATE usage_totals SET requests = requests - 1, input_tokens = input_tokens - old.input_tokens,
                  output_tokens = output_tokens - old.output_tokens,
                  cache_read_tokens = cache_read_tokens - old.cache_read_tokens,
                  cache_creation_tokens = cache_creation_tokens - old.cache_creation_tokens,
                  cost_usd = cost_usd - coalesce(CAST(old.cost_usd AS REAL), 0)
                WHERE model = old.model AND project = coalesce(old.project, old.cwd, '')
                  AND git_branch = coalesce(old.git_branch, '');
            END;
            CREATE TRIGGER usage_totals_update AFTER UPDATE ON requests BEGIN
              UPDATE usage_totals SET requests = requests - 1, input_tokens = input_tokens - old.input_tokens,
                  output_tokens = output_tokens - old.output_tokens,
                  cache_read_tokens = cache_read_tokens - old.cache_read_tokens,
                  cache_creation_tokens = cache_creation_tokens - old.cache_creation_tokens,
                  cost_usd = cost_usd - coalesce(CAST(old.cost_usd AS REAL), 0)
                WHERE model = old.model AND project = coalesce(old.project, old.cwd, '')
                  AND git_branch = coalesce(old.git_branch, '');
              INSERT INTO usage_totals VALUES (new.model, coalesce(new.project, new.cwd, ''),
                  coalesce(new.git_branch, ''), 1, new.input_tokens, new.output_tokens, new.cache_read_tokens,
                  new.cache_creation_tokens, coalesce(CAST(new.cost_usd AS REAL), 0))
                ON CONFLICT (model, project, git_branch) DO UPDATE SET requests = requests + 1,
                  input_tokens = input_tokens + excluded.input_tokens,
                  output_tokens = output_tokens + excluded.output_tokens,
                  cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
                  cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
                  cost_usd = cost_usd + excluded.cost_usd;
            END;
            """;

    /**
     * Version 3: the {@code metrics} source, {@code metric_usage} (what Claude Code's metrics counted per session,
     * model and day) and the {@code sessions} view telling request rows from metrics rows. SQLite cannot alter a
     * CHECK constraint, so {@code requests} is rebuilt, every row kept; its indexes and usage_totals' triggers go
     * with the old table and are made again. Metrics rows stay out of usage_totals: they shrink as the requests they
     * stand for arrive, and its counters never go down.
     */
    private static final String METRICS = """
            DROP VIEW sessions;
            CREATE TABLE requests_v2 (
              key                      TEXT PRIMARY KEY,
              source                   TEXT NOT NULL CHECK (source IN ('telemetry', 'transcript', 'metrics')),
              session_id               TEXT NOT NULL,
              time_ms                  INTEGER NOT NULL,
              time                     TEXT GENERATED ALWAYS AS
                                         (strftime('%Y-%m-%dT%H:%M:%fZ', time_ms / 1000.0, 'unixepoch')) VIRTUAL,
              model                    TEXT NOT NULL,
              input_tokens             INTEGER NOT NULL,
              output_tokens            INTEGER NOT NULL,
              cache_read_tokens        INTEGER NOT NULL,
              cache_creation_tokens    INTEGER NOT NULL,
              cache_creation_5m_tokens INTEGER NOT NULL,
              cache_creation_1h_tokens INTEGER NOT NULL,
              cost_usd                 TEXT,
              cost_source              TEXT NOT NULL
                                         CHECK (cost_source IN ('exact', 'learned', 'table', 'unpriced')),
              request_id               TEXT,
              duration_ms              INTEGER,
              ttft_ms                  INTEGER,
              query_source             TEXT,
              effort                   TEXT,
              speed                    TEXT,
              agent_name               TEXT,
              skill_name               TEXT,
              prompt_id                TEXT,
              user_id                  TEXT,
              organization_id          TEXT,
              account_uuid             TEXT,
              terminal                 TEXT,
              version                  TEXT,
              project                  TEXT,
              cwd                      TEXT,
              git_branch               TEXT,
              message_id               TEXT,
              transcript               TEXT
            );
            INSERT INTO requests_v2 (key, source, session_id, time_ms, model, input_tokens, output_tokens,
                cache_read_tokens, cache_creation_tokens, cache_creation_5m_tokens, cache_creation_1h_tokens, cost_usd,
                cost_source, request_id, duration_ms, ttft_ms, query_source, effort, speed, agent_name, skill_name,
                prompt_id, user_id, organization_id, account_uuid, terminal, version, project, cwd, git_branch,
                message_id, transcript)
              SELECT key, source, session_id, time_ms, model, input_tokens, output_tokens,
                cache_read_tokens, cache_creation_tokens, cache_creation_5m_tokens, cache_creation_1h_tokens, cost_usd,
                cost_source, request_id, duration_ms, ttft_ms, query_source, effort, speed, agent_name, skill_name,
                prompt_id, user_id, organization_id, account_uuid, terminal, version, project, cwd, git_branch,
                message_id, transcript
              FROM requests;
            DROP TABLE requests;
            ALTER TABLE requests_v2 RENAME TO requests;
            CREATE INDEX requests_by_time ON requests (time_ms);
            CREATE INDEX requests_by_session ON requests (session_id, time_ms);
            CREATE INDEX requests_by_transcript ON requests (transcript) WHERE transcript IS NOT NULL;
            CREATE TRIGGER usage_totals_insert AFTER INSERT ON requests WHEN new.source != 'metrics' BEGIN
              INSERT INTO usage_totals VALUES (new.model, coalesce(new.project, new.cwd, ''),
                  coalesce(new.git_branch, ''), 1, new.input_tokens, new.output_tokens, new.cache_read_tokens,
                  new.cache_creation_tokens, coalesce(CAST(new.cost_usd AS REAL), 0))
                ON CONFLICT (model, project, git_branch) DO UPDATE SET requests = requests + 1,
                  input_tokens = input_tokens + excluded.input_tokens,
                  output_tokens = output_tokens + excluded.output_tokens,
                  cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
                  cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
                  cost_usd = cost_usd + excluded.cost_usd;
            END;
            CREATE TRIGGER usage_totals_delete AFTER DELETE ON requests WHEN old.source != 'metrics' BEGIN
              UPDATE usage_totals SET requests = requests - 1, input_tokens = input_tokens - old.input_tokens,
                  output_tokens = output_tokens - old.output_tokens,
                  cache_read_tokens = cache_read_tokens - old.cache_read_tokens,
                  cache_creation_tokens = cache_creation_tokens - old.cache_creation_tokens,
                  cost_usd = cost_usd - coalesce(CAST(old.cost_usd AS REAL), 0)
                WHERE model = old.model AND project = coalesce(old.project, old.cwd, '')
                  AND git_branch = coalesce(old.git_branch, '');
            END;
            CREATE TRIGGER usage_totals_update AFTER UPDATE ON requests
              WHEN old.source != 'metrics' AND new.source != 'metrics' BEGIN
              UPDATE usage_totals SET requests = requests - 1, input_tokens = input_tokens - old.input_tokens,
                  output_tokens = output_tokens - old.output_tokens,
                  cache_read_tokens = cache_read_tokens - old.cache_read_tokens,
                  cache_creation_tokens = cache_creation_tokens - old.cache_creation_tokens,
                  cost_usd = cost_usd - coalesce(CAST(old.cost_usd AS REAL), 0)
                WHERE model = old.model AND project = coalesce(old.project, old.cwd, '')
                  AND git_branch = coalesce(old.git_branch, '');
              INSERT INTO usage_totals VALUES (new.model, coalesce(new.project, new.cwd, ''),
                  coalesce(new.git_branch, ''), 1, new.input_tokens, new.output_tokens, new.cache_read_tokens,
                  new.cache_creation_tokens, coalesce(CAST(new.cost_usd AS REAL), 0))
                ON CONFLICT (model, project, git_branch) DO UPDATE SET requests = requests + 1,
                  input_tokens = input_tokens + excluded.input_tokens,
                  output_tokens = output_tokens + excluded.output_tokens,
                  cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
                  cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
                  cost_usd = cost_usd + excluded.cost_usd;
            END;
            CREATE TABLE metric_usage (
              session_id            TEXT NOT NULL,
              model                 TEXT NOT NULL,
              day                   TEXT NOT NULL,
              last_time_ms          INTEGER NOT NULL,
              input_tokens          INTEGER NOT NULL,
              output_tokens         INTEGER NOT NULL,
              cache_read_tokens     INTEGER NOT NULL,
              cache_creation_tokens INTEGER NOT NULL,
              cost_usd              TEXT NOT NULL,
              project               TEXT,
              PRIMARY KEY (session_id, model, day)
            ) WITHOUT ROWID;
            CREATE VIEW sessions AS
              SELECT session_id,
                     min(time) AS first_request, max(time) AS last_request,
                     sum(source != 'metrics') AS requests,
                     sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
                     sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
                     sum(cost_usd) AS cost_usd, sum(cost_source = 'unpriced') AS unpriced_requests,
                     sum(source = 'metrics') AS metrics_rows,
                     max(project) AS project, max(cwd) AS cwd
              FROM requests GROUP BY session_id;
            """;

    /**
     * Version 4: {@code session_days}, per session, model, UTC day and kind of row (requests' rows, or {@code metrics}
     * rows), the rows' sums, kept equal to them by triggers in the same transaction. Reconciliation (docs/LEDGER.md,
     * "How a request is counted once") runs after every write of a session's rows, and the metrics file's sessions
     * are filled from the ledger's several times a second: summing a session's rows each time grew with the session.
     * Costs are integer picodollars, so the sums stay exact however often a row is added and taken away. An update
     * fires them only when a column they sum or group by changed: a request seen again costs nothing more.
     */
    private static final String SESSION_DAYS = """
            CREATE TABLE session_days (
              session_id            TEXT NOT NULL,
              model                 TEXT NOT NULL,
              day                   TEXT NOT NULL,
              metrics               INTEGER NOT NULL,
              rows                  INTEGER NOT NULL,
              input_tokens          INTEGER NOT NULL,
              output_tokens         INTEGER NOT NULL,
              cache_read_tokens     INTEGER NOT NULL,
              cache_creation_tokens INTEGER NOT NULL,
              cost_picos            INTEGER NOT NULL,
              PRIMARY KEY (session_id, model, day, metrics)
            ) WITHOUT ROWID;
            INSERT INTO session_days
              SELECT session_id, model, strftime('%%Y-%%m-%%d', time_ms / 1000, 'unixepoch'), source = 'metrics',
                     count(*), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),
                     sum(cache_creation_tokens), sum(coalesce(CAST(round(cost_usd * 1e12) AS INTEGER), 0))
              FROM requests GROUP BY 1, 2, 3, 4;
            CREATE TRIGGER session_days_insert AFTER INSERT ON requests BEGIN
            %s
            END;
            CREATE TRIGGER session_days_delete AFTER DELETE ON requests BEGIN
            %s
            END;
            CREATE TRIGGER session_days_update AFTER UPDATE ON requests
              WHEN old.source IS NOT new.source OR old.session_id IS NOT new.session_id OR old.model IS NOT new.model
                OR old.time_ms IS NOT new.time_ms OR old.input_tokens IS NOT new.input_tokens
                OR old.output_tokens IS NOT new.output_tokens OR old.cache_read_tokens IS NOT new.cache_read_tokens
                OR old.cache_creation_tokens IS NOT new.cache_creation_tokens OR old.cost_usd IS NOT new.cost_usd
            BEGIN
            %s
            %s
            END;
            """.formatted(addDay("new", ""), addDay("old", "-"), addDay("old", "-"), addDay("new", ""));

    /** The upsert that adds a row's figures to its day ({@code sign} "-": takes them away). */
    private static String addDay(String row, String sign) {
        return ("  INSERT INTO session_days VALUES (%1$s.session_id, %1$s.model,"
                + " strftime('%%Y-%%m-%%d', %1$s.time_ms / 1000, 'unixepoch'), %1$s.source = 'metrics', %2$s1,"
                + " %2$s%1$s.input_tokens, %2$s%1$s.output_tokens, %2$s%1$s.cache_read_tokens,"
                + " %2$s%1$s.cache_creation_tokens, %2$scoalesce(CAST(round(%1$s.cost_usd * 1e12) AS INTEGER), 0))"
                + "\n    ON CONFLICT (session_id, model, day, metrics) DO UPDATE SET rows = rows + excluded.rows,"
                + " input_tokens = input_tokens + excluded.input_tokens,"
                + " output_tokens = output_tokens + excluded.output_tokens,"
                + " cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,"
                + " cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,"
                + " cost_picos = cost_picos + excluded.cost_picos;").formatted(row, sign);
    }

    /** usage_sessions' key, as SQL over a row of requests ({@code %s}: the row). */
    private static final List<String> SESSION_KEY = List.of("%s.session_id", "%s.model",
            "coalesce(%s.project, %s.cwd, '')", "coalesce(%s.git_branch, '')");

    /** A rollup's columns after its key, and what a row adds to each ({@code %s}: the row). */
    private static final List<String> SUMS = List.of("rows", "requests", "input_tokens", "output_tokens",
            "cache_read_tokens", "cache_creation_tokens", "exact_picos", "estimated_picos", "unpriced");
    private static final List<String> ADDS = List.of("1", "%s.source != 'metrics'", "%s.input_tokens",
            "%s.output_tokens", "%s.cache_read_tokens", "%s.cache_creation_tokens",
            // cost_usd is an exact decimal as TEXT: * 1e12 and rounded, an integer number of picodollars
            "CASE WHEN %s.cost_source = 'exact' THEN coalesce(CAST(round(%s.cost_usd * 1e12) AS INTEGER), 0) ELSE 0 END",
            "CASE WHEN %s.cost_source != 'exact' THEN coalesce(CAST(round(%s.cost_usd * 1e12) AS INTEGER), 0) ELSE 0 END",
            "%s.cost_usd IS NULL");

    /**
     * Version 5: the rollups reports read instead of every request (docs/LEDGER.md): {@code usage_hours} per UTC
     * hour and model (the days of any whole-hour time zone are sums of its hours) and {@code usage_sessions} per
     * session, model, project and git branch. Like usage_totals, triggers keep them equal to the sums over
     * {@code requests} in the same transaction; unlike it, metrics rows count (in every column but
     * {@code requests}), and costs are integer picodollars, so that the sums stay exact however often a row is
     * added and taken away. An update fires them only when a column they sum or group by changes: a request seen
     * again costs nothing more. A group whose rows are all gone keeps a row with {@code rows = 0}.
     */
    private static final String ROLLUPS = rollup("usage_hours", "hour INTEGER NOT NULL, model TEXT NOT NULL",
            List.of("hour", "model"), List.of("%s.time_ms / 3600000", "%s.model"))
            + rollup("usage_sessions", "session_id TEXT NOT NULL, model TEXT NOT NULL, project TEXT NOT NULL,"
                            + " git_branch TEXT NOT NULL", List.of("session_id", "model", "project", "git_branch"),
                    SESSION_KEY);

    /**
     * A rollup table, filled from {@code requests}, and its triggers: each adds a row's figures to its group, or
     * takes them away (the same upsert with the figures negated: the group is there).
     */
    private static String rollup(String table, String keyColumns, List<String> keys, List<String> keyOf) {
        var sql = new StringBuilder("CREATE TABLE ").append(table).append(" (").append(keyColumns);
        for (String sum : SUMS) {
            sql.append(", ").append(sum).append(" INTEGER NOT NULL");
        }
        sql.append(", PRIMARY KEY (").append(String.join(", ", keys)).append(")) WITHOUT ROWID;\n");
        sql.append("INSERT INTO ").append(table).append(" SELECT ").append(of(keyOf, "r", ""));
        for (String add : ADDS) {
            sql.append(", sum(").append(add.replace("%s", "r")).append(")");
        }
        sql.append(" FROM requests r GROUP BY ");
        for (int i = 1; i <= keys.size(); i++) {
            sql.append(i == 1 ? "" : ", ").append(i);
        }
        sql.append(";\n");
        String changed = changed(keyOf);
        sql.append("CREATE TRIGGER ").append(table).append("_insert AFTER INSERT ON requests BEGIN\n")
                .append(add(table, keys, keyOf, "new", "")).append("END;\n");
        sql.append("CREATE TRIGGER ").append(table).append("_delete AFTER DELETE ON requests BEGIN\n")
                .append(add(table, keys, keyOf, "old", "-")).append("END;\n");
        sql.append("CREATE TRIGGER ").append(table).append("_update AFTER UPDATE ON requests WHEN ").append(changed)
                .append(" BEGIN\n").append(add(table, keys, keyOf, "old", "-"))
                .append(add(table, keys, keyOf, "new", "")).append("END;\n");
        return sql.toString();
    }

    /** An update changed what a rollup sums or groups by: a request seen again changes none of it. */
    private static String changed(List<String> keyOf) {
        String changed = "old.source != new.source OR old.model != new.model OR old.input_tokens != new.input_tokens"
                + " OR old.output_tokens != new.output_tokens OR old.cache_read_tokens != new.cache_read_tokens"
                + " OR old.cache_creation_tokens != new.cache_creation_tokens OR old.cost_usd IS NOT new.cost_usd"
                + " OR old.cost_source != new.cost_source";
        for (String key : keyOf) {
            if (!key.equals("%s.model")) {
                changed += " OR " + key.replace("%s", "old") + " IS NOT " + key.replace("%s", "new");
            }
        }
        return changed;
    }

    private static String add(String table, List<String> keys, List<String> keyOf, String row, String sign) {
        var sets = new java.util.StringJoiner(", ");
        for (String sum : SUMS) {
            sets.add(sum + " = " + sum + " + excluded." + sum);
        }
        return "  INSERT INTO " + table + " VALUES (" + of(keyOf, row, "") + ", " + of(ADDS, row, sign)
                + ")\n    ON CONFLICT (" + String.join(", ", keys) + ") DO UPDATE SET " + sets + ";\n";
    }

    private static String of(List<String> expressions, String row, String sign) {
        var values = new java.util.StringJoiner(", ");
        for (String expression : expressions) {
            values.add(sign.isEmpty() ? expression.replace("%s", row) : sign + "(" + expression.replace("%s", row) + ")");
        }
        return values.toString();
    }

    /**
     * Version 6: each {@code usage_sessions} group's first and last request times, kept exact by its triggers, so
     * that the session report reads them rather than seeking each session's first and last rows in requests' time
     * index (two seeks a group, 20,000 for a year). A row coming in can only widen its group's bounds (min and max
     * in the same upsert); a row leaving (deleted, or updated into another group or time) that was a bound has that
     * bound found again among the group's rows still there: one seek in requests' (session_id, time_ms) index,
     * from the leaving row's time on (every row left in the group is on that side of it) to the group's next row.
     * A group with no rows has NULL bounds. The triggers are made again with the columns; an update now also fires
     * them when only the time changed.
     */
    private static final String SESSION_TIMES = """
            ALTER TABLE usage_sessions ADD COLUMN first_time_ms INTEGER;
            ALTER TABLE usage_sessions ADD COLUMN last_time_ms INTEGER;
            UPDATE usage_sessions AS u SET first_time_ms = b.first_time_ms, last_time_ms = b.last_time_ms
              FROM (SELECT session_id, model, coalesce(project, cwd, '') AS project,
                           coalesce(git_branch, '') AS git_branch, min(time_ms) AS first_time_ms,
                           max(time_ms) AS last_time_ms
                    FROM requests GROUP BY 1, 2, 3, 4) AS b
              WHERE u.session_id = b.session_id AND u.model = b.model AND u.project = b.project
                AND u.git_branch = b.git_branch;
            DROP TRIGGER usage_sessions_insert;
            DROP TRIGGER usage_sessions_delete;
            DROP TRIGGER usage_sessions_update;
            CREATE TRIGGER usage_sessions_insert AFTER INSERT ON requests BEGIN
            %1$sEND;
            CREATE TRIGGER usage_sessions_delete AFTER DELETE ON requests BEGIN
            %2$s%3$sEND;
            CREATE TRIGGER usage_sessions_update AFTER UPDATE ON requests WHEN %4$s BEGIN
            %2$s%3$s%1$sEND;
            """.formatted(addToSession("new"), takeFromSession("old"), boundsAfterLeaving("old"),
            changed(SESSION_KEY) + " OR old.time_ms != new.time_ms");

    /** Adds a row to its usage_sessions group: its figures summed, its time widening the group's bounds. */
    private static String addToSession(String row) {
        var sets = new java.util.StringJoiner(", ");
        for (String sum : SUMS) {
            sets.add(sum + " = " + sum + " + excluded." + sum);
        }
        return "  INSERT INTO usage_sessions (session_id, model, project, git_branch, " + String.join(", ", SUMS)
                + ", first_time_ms, last_time_ms) VALUES (" + of(SESSION_KEY, row, "") + ", " + of(ADDS, row, "")
                + ", " + row + ".time_ms, " + row + ".time_ms)\n    ON CONFLICT (session_id, model, project,"
                + " git_branch) DO UPDATE SET " + sets + ","
                // a group with no rows has no bounds (NULL): the row's time is both
                + " first_time_ms = min(coalesce(first_time_ms, excluded.first_time_ms), excluded.first_time_ms),"
                + " last_time_ms = max(coalesce(last_time_ms, excluded.last_time_ms), excluded.last_time_ms);\n";
    }

    /** Takes a row's figures from its group (there: the row was in it); the bounds are boundsAfterLeaving's. */
    private static String takeFromSession(String row) {
        return add("usage_sessions", List.of("session_id", "model", "project", "git_branch"), SESSION_KEY, row, "-")
                .replace("INSERT INTO usage_sessions VALUES (", "INSERT INTO usage_sessions (session_id, model,"
                        + " project, git_branch, " + String.join(", ", SUMS) + ") VALUES (");
    }

    /**
     * After a row left its group (deleted, or updated away), the group's bound it was, found again among the rows
     * still there; none when the group is empty. A bound another row shares is found again at the same time.
     */
    private static String boundsAfterLeaving(String row) {
        String group = "session_id = " + SESSION_KEY.get(0).replace("%s", row) + " AND model = "
                + SESSION_KEY.get(1).replace("%s", row) + " AND project = " + SESSION_KEY.get(2).replace("%s", row)
                + " AND git_branch = " + SESSION_KEY.get(3).replace("%s", row);
        String rowsOfGroup = " FROM requests q WHERE q.session_id = " + row + ".session_id AND q.model = " + row
                + ".model AND " + SESSION_KEY.get(2).replace("%s", "q") + " = " + SESSION_KEY.get(2).replace("%s", row)
                + " AND " + SESSION_KEY.get(3).replace("%s", "q") + " = " + SESSION_KEY.get(3).replace("%s", row);
        // The row was the group's first (last), so every row still in it is at or after (before) its time: the
        // seek starts there, not at the session's end, and passes only rows of the session's other groups in
        // between (a transcript's rows deleted oldest first would otherwise walk all the earlier ones each time).
        return "  UPDATE usage_sessions SET"
                + " first_time_ms = CASE WHEN rows = 0 THEN NULL WHEN first_time_ms = " + row + ".time_ms"
                + " THEN (SELECT min(q.time_ms)" + rowsOfGroup + " AND q.time_ms >= " + row + ".time_ms)"
                + " ELSE first_time_ms END,"
                + " last_time_ms = CASE WHEN rows = 0 THEN NULL WHEN last_time_ms = " + row + ".time_ms"
                + " THEN (SELECT max(q.time_ms)" + rowsOfGroup + " AND q.time_ms <= " + row + ".time_ms)"
                + " ELSE last_time_ms END"
                + "\n    WHERE " + group + " AND (first_time_ms = " + row + ".time_ms OR last_time_ms = " + row
                + ".time_ms OR rows = 0);\n";
    }

    /** Migration N takes the schema from version N to N + 1. */
    private static final List<String> MIGRATIONS = List.of(REQUESTS, USAGE_TOTALS, METRICS, SESSION_DAYS, ROLLUPS,
            SESSION_TIMES);

    static final int VERSION = MIGRATIONS.size();

    private LedgerSchema() {
    }

    /** A migration's statements: split at a semicolon that ends a line, except inside a trigger's BEGIN ... END. */
    static List<String> statements(String migration) {
        var statements = new java.util.ArrayList<String>();
        var pending = new StringBuilder();
        for (String piece : migration.split(";\\s*\\n")) {
            if (piece.isBlank()) {
                continue;
            }
            pending.append(piece);
            String statement = pending.toString().strip();
            if (statement.startsWith("CREATE TRIGGER") && !statement.endsWith("END")) {
                pending.append(";\n");
                continue;
            }
            statements.add(statement);
            pending.setLength(0);
        }
        return statements;
    }

    /** Brings the database to {@link #VERSION}; refuses one written by a newer version of this program. */
    static void migrate(Connection connection) throws SQLException {
        migrate(connection, VERSION);
    }

    /** Brings the database to {@code target} (tests build older versions with it to migrate them). */
    static void migrate(Connection connection, int target) throws SQLException {
        int version;
        try (Statement statement = connection.createStatement();
             var result = statement.executeQuery("PRAGMA user_version")) {
            version = result.getInt(1);
        }
        if (version > VERSION) {
            throw new SQLException("the ledger's schema is version " + version + ", newer than this program's "
                    + VERSION + "; upgrade claude-token-metrics");
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (int next = version; next < target; next++) {
                for (String sql : statements(MIGRATIONS.get(next))) {
                    statement.execute(sql);
                }
                statement.execute("PRAGMA user_version = " + (next + 1));
                connection.commit();
            }
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
