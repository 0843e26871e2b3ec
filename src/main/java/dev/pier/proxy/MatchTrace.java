package dev.pier.proxy;

/**
 * What {@code explain} learns from the matcher while it selects: which virtual host the host
 * chose and how, and every route the path index offered with the verdict of its other
 * conditions. Null on the serving path; with a trace, the matcher also checks the candidates it
 * would skip once a better one is known, and still selects the same route.
 */
interface MatchTrace {
    enum HostStep { EXACT, WILDCARD, ANY, NONE }

    /** How the path index found a candidate. */
    enum Via { EXACT_PATH, PREFIX, ANY_PATH, REGEX }

    void host(String hostKey, HostStep step, CompiledHost chosen);

    /**
     * @param failed {@link CompiledRoute#MATCHES}, {@link CompiledRoute#PATH_DIFFERS}, or the
     *               index of the condition that failed (see {@link CompiledRoute#describeCondition})
     */
    void candidate(CompiledRoute route, Via via, int failed);

    void fellBackToDefault(CompiledRoute defaultRoute);
}
