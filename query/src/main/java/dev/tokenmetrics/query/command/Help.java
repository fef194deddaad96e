package dev.tokenmetrics.query.command;

/** The --help text; docs/REPORTS.md has the details. */
final class Help {
    private Help() {
    }

    static final String TEXT = """
            Usage: claude-token-metrics [REPORT] [OPTIONS]
            Claude Code's token use and cost from the usage ledger (~/.claude/token-metrics/usage.db).

            Reports:
              daily            per day (the default)
              weekly           per week (--start-of-week, default sunday)
              monthly          per month
              session          per Claude Code session
              blocks           5-hour windows; the active one with time left and a projection
              project          per project (the launcher's project, else the working directory)
              branch           per git branch
              model            per model
              agent            per agent (agent name, else query source)
              hourly           per hour of the day, over the period

            Period (default: all):
              --since DATE, --until DATE   YYYY-MM-DD or YYYYMMDD, inclusive, in the time zone
              --period 1h|6h|24h|7d|30d|all   the last hour ... 30 days, up to now
              --timezone ZONE              days and hours in ZONE (default: the system's)
              --start-of-week DAY          weekly: sunday (default), monday, ...
            Filters:
              --project NAME   a project or working directory (whole path or its last part)
              --branch NAME    a git branch
              --model TEXT     models whose name contains TEXT
              --session ID     a session (its id or the start of it)
            Output:
              --breakdown      each model under each row
              --json           JSON (ccusage's shape for daily, weekly, monthly, session, blocks)
              --csv [FILE]     CSV, to FILE or standard output
              --html FILE      the dashboard's page as one file (charts, the report as a table)
              --compare        also the previous period of the same length, and the change
              --budget USD     spend against USD: exit status 4 at 80 %, 5 at 100 %
              --db PATH        the ledger to read
              -h, --help       this text

            Exit status: 0 done (an empty period is an empty report), 2 bad command line, 3 no readable ledger,
            4 and 5 budget thresholds, 1 anything else. NO_COLOR turns colours off; COLUMNS sets the width.
            """;
}
