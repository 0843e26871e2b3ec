/**
 * The immutable routing table: plain records that translation produces and the data plane compiles,
 * and the {@link dev.pier.model.Problem}s translation reports. Depends on nothing but the JDK.
 *
 * <p>One validation contract: every record checks its own invariants when it is built (a prefix is
 * normalised, a regular expression is compiled, a route without a backend has a filter that
 * answers...), so a table that exists is one the data plane can compile. Translation reports bad
 * input as problems and leaves it out; a model constructor that throws is a translation bug, and
 * the rebuild fails loudly while the last good table keeps serving.
 */
package dev.pier.model;
