package dev.pier.model;

/** A status condition as Kubernetes writes it: {@code status} is "True" or "False". */
public record Condition(String type, String status, String reason, String message, long observedGeneration) {}
