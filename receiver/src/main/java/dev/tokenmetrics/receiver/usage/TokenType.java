package dev.tokenmetrics.receiver.usage;

/** The {@code type} attribute of {@code claude_code.token.usage}. */
public enum TokenType {
    INPUT("input"),
    OUTPUT("output"),
    CACHE_READ("cacheRead"),
    CACHE_CREATION("cacheCreation");

    private static final TokenType[] ALL = values();

    private final String attributeValue;

    TokenType(String attributeValue) {
        this.attributeValue = attributeValue;
    }

    public String attributeValue() {
        return attributeValue;
    }

    public static TokenType forAttribute(String value) {
        for (TokenType type : ALL) {
            if (type.attributeValue.equals(value)) {
                return type;
            }
        }
        return null;
    }
}
