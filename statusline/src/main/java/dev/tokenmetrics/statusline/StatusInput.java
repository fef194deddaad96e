package dev.tokenmetrics.statusline;

/**
 * What Claude Code pipes to the statusLine command, as far as the line needs it. Missing strings are null and a
 * missing cost is NaN: absent fields are normal, and never turned into made-up values.
 */
record StatusInput(String sessionId, String transcriptPath, String modelId, String modelDisplayName, double costUsd,
                   double durationMs, double contextUsedPercent) {

    static final StatusInput EMPTY = new StatusInput(null, null, null, null, Double.NaN, Double.NaN, Double.NaN);

    static StatusInput parse(byte[] json) {
        String sessionId = null;
        String transcriptPath = null;
        String modelId = null;
        String modelName = null;
        double cost = Double.NaN;
        double duration = Double.NaN;
        double contextUsed = Double.NaN;
        var reader = new JsonReader(json);
        if (!reader.beginObject()) {
            return EMPTY;
        }
        for (String key = reader.nextKey(); key != null; key = reader.nextKey()) {
            switch (key) {
                case "session_id" -> sessionId = reader.stringOrNull();
                case "transcript_path" -> transcriptPath = reader.stringOrNull();
                case "model" -> {
                    if (reader.beginObject()) {
                        for (String m = reader.nextKey(); m != null; m = reader.nextKey()) {
                            switch (m) {
                                case "id" -> modelId = reader.stringOrNull();
                                case "display_name" -> modelName = reader.stringOrNull();
                                default -> reader.skipValue();
                            }
                        }
                    }
                }
                case "cost" -> {
                    if (reader.beginObject()) {
                        for (String c = reader.nextKey(); c != null; c = reader.nextKey()) {
                            switch (c) {
                                case "total_cost_usd" -> cost = reader.numberOrNaN();
                                case "total_duration_ms" -> duration = reader.numberOrNaN();
                                default -> reader.skipValue();
                            }
                        }
                    }
                }
                case "context_window" -> { // the current context, not the whole session
                    if (reader.beginObject()) {
                        for (String c = reader.nextKey(); c != null; c = reader.nextKey()) {
                            if (c.equals("used_percentage")) {
                                contextUsed = reader.numberOrNaN();
                            } else {
                                reader.skipValue();
                            }
                        }
                    }
                }
                default -> reader.skipValue();
            }
        }
        return new StatusInput(sessionId, transcriptPath, modelId, modelName, cost, duration, contextUsed);
    }
}
