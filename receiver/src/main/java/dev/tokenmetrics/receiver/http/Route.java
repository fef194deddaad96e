package dev.tokenmetrics.receiver.http;

import dev.tokenmetrics.query.DashboardApi;
import dev.tokenmetrics.query.command.CommandApi;
import dev.tokenmetrics.receiver.otlp.Encoding;
import dev.tokenmetrics.receiver.otlp.Signal;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Where a request goes, resolved once by {@link RequestRouter} from its request line and headers. The router sets it
 * on the channel for each request it lets through, and the handlers after the aggregator take it from there ({@link
 * #of}) instead of reading path, method and Content-Type again: {@link OneRequestAtATime} lets no second request
 * past the router before the first is answered. Every route is a shared constant.
 */
sealed interface Route permits Route.Page, Route.Export {

    AttributeKey<Route> KEY = AttributeKey.valueOf(Route.class, "route");

    /** The route of the request being handled on this channel. */
    static Route of(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** The path the route answers, for logs. */
    String path();

    /**
     * The daemon's own pages, answered to GET and HEAD. A new page is one constant here; the router learns it
     * from this list, and the page's handler joins the pipeline in {@link ReceiverServer}.
     */
    enum Page implements Route {
        HEALTH("/health"),
        /** Prometheus' scrape. */
        METRICS("/metrics"),
        /** The dashboard (docs/DASHBOARD.md): its page and files, served from the jar... */
        DASHBOARD("/"),
        DASHBOARD_CHART_STYLE("/dashboard/uPlot.min.css"),
        DASHBOARD_STYLE("/dashboard/dashboard.css"),
        DASHBOARD_CHARTS("/dashboard/uPlot.iife.min.js"),
        DASHBOARD_SCRIPT("/dashboard/dashboard.js"),
        /** ... and the JSON API it polls, answered from the ledger. */
        API_SUMMARY(DashboardApi.SUMMARY),
        API_REPORT(DashboardApi.REPORT),
        API_HEATMAP(DashboardApi.HEATMAP),
        API_REQUESTS(DashboardApi.REQUESTS),
        /** The report command, answered for its launcher (docs/REPORTS.md, "Answered by the receiver"). */
        API_CLI(CommandApi.PATH);

        private final String path;

        Page(String path) {
            this.path = path;
        }

        @Override
        public String path() {
            return path;
        }

        /** True for the dashboard's pages, which {@link DashboardHandler} answers. */
        boolean dashboard() {
            return this != HEALTH && this != METRICS;
        }

        boolean api() {
            return path.startsWith("/api/");
        }
    }

    /** An OTLP/HTTP export: a signal POSTed to its path, in the encoding its Content-Type names. */
    record Export(Signal signal, Encoding encoding) implements Route {
        @Override
        public String path() {
            return signal.path();
        }
    }
}
