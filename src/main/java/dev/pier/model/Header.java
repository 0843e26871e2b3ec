package dev.pier.model;

/** A header name and value. */
public record Header(String name, String value) {}
