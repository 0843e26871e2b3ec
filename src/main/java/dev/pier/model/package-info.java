/**
 * The immutable routing table: plain records that translation produces and the data plane compiles.
 * Depends on nothing but the JDK.
 */
package dev.pier.model;
