/**
 * Leader election metrics for Micrometer: {@link
 * io.leasehold.micrometer.MicrometerMetricsProvider}.
 */
package io.leasehold.micrometer;
