package io.gpubroker.sim.trooper;

import io.gpubroker.sim.core.SimConfig;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Every {@code trooper.*} setting in one place. The Trooper API is a beta with gaps (no terminate,
 * no capacity/price error texts, no transitional status names), so each GUESSED detail is a key
 * here and can be corrected without code once real responses are captured.
 */
final class TrooperSettings {

    final int offers;
    final int privateOffers;
    final int capacityPerBlib;
    final double eurPerUsd;
    final Duration offersRefresh;
    final Duration priceDriftInterval;
    final double priceDriftFraction;
    final double priceDriftStep;

    final String statusInstalling;
    final String statusDead;
    final String statusHostOffline;
    final String terminateAction;
    final boolean terminatedListed;
    final double stoppedBillingFraction;
    final double frozenBillingFraction;
    final boolean billFromOrder;
    final double budget;
    final String budgetPath;
    final Set<String> contractIntervals;
    final boolean validateTotalPrice;

    final String errPriceChanged;
    final String errNoCapacity;
    final int errNoCapacityStatus;
    final String errInsufficientBudget;
    final String errUnknownBlib;
    final String errTotalPrice;

    final int rateLimitPerSecond;
    final int rateLimitPerMinute;
    final int rateLimitRetryAfter;
    final String rateLimitMessage;
    final boolean publicRejectsBadKey;

    final int firstOrderId;
    final int serverIdOffset;
    final String sshUser;
    final String ip;

    TrooperSettings(SimConfig c) {
        offers = c.getInt("trooper.offers", 40);
        privateOffers = c.getInt("trooper.private-offers", 2);
        capacityPerBlib = c.getInt("trooper.capacity-per-blib", 0);
        eurPerUsd = c.getDouble("trooper.eur-per-usd", 0.92);
        offersRefresh = c.getDuration("trooper.offers-refresh", Duration.ofSeconds(30));
        priceDriftInterval = c.getDuration("trooper.price-drift-interval", Duration.ofSeconds(60));
        priceDriftFraction = c.getDouble("trooper.price-drift-fraction", 0.1);
        priceDriftStep = c.getDouble("trooper.price-drift-step", 0.03);

        statusInstalling = c.get("trooper.status.installing", "installing");
        statusDead = c.get("trooper.status.dead", "stopped");
        statusHostOffline = c.get("trooper.status.host-offline", "migrated");
        terminateAction = c.get("trooper.terminate-action", "terminated").trim();
        terminatedListed = c.getBool("trooper.terminated-listed", true);
        stoppedBillingFraction = c.getDouble("trooper.stopped-billing-fraction", 0.35);
        frozenBillingFraction = c.getDouble("trooper.frozen-billing-fraction", 0.0);
        billFromOrder = c.getBool("trooper.bill-from-order", true);
        budget = c.getDouble("trooper.budget", 10_000.0);
        budgetPath = c.get("trooper.budget-path", "").trim();
        contractIntervals = new LinkedHashSet<>();
        for (String s :
                c.get("trooper.contract-intervals", "HOUR,DAY,WEEK,MONTH,YEAR").split(",")) {
            if (!s.isBlank()) {
                contractIntervals.add(s.trim());
            }
        }
        validateTotalPrice = c.getBool("trooper.validate-total-price", true);

        errPriceChanged = c.get("trooper.error.price-changed", "Price has changed");
        errNoCapacity = c.get("trooper.error.no-capacity", "No capacity available for this configuration");
        errNoCapacityStatus = c.getInt("trooper.error.no-capacity-status", 400);
        errInsufficientBudget = c.get("trooper.error.insufficient-budget", "Insufficient budget");
        errUnknownBlib = c.get("trooper.error.unknown-blib", "Invalid or missing blib_id.");
        errTotalPrice = c.get("trooper.error.total-price", "Total price does not match");

        rateLimitPerSecond = c.getInt("trooper.rate-limit-per-second", 0);
        rateLimitPerMinute = c.getInt("trooper.rate-limit-per-minute", 0);
        rateLimitRetryAfter = c.getInt("trooper.rate-limit-retry-after", 0);
        rateLimitMessage = c.get("trooper.rate-limit-message", "Too many requests");
        publicRejectsBadKey = c.getBool("trooper.public-rejects-bad-key", false);

        firstOrderId = c.getInt("trooper.first-order-id", 1000);
        serverIdOffset = c.getInt("trooper.server-id-offset", 0);
        sshUser = c.get("trooper.ssh-user", "root");
        ip = c.get("trooper.ip", "127.0.0.1");
    }

    /** Hours in one contract interval (HOUR documented; the rest GUESSED from the payment docs). */
    static int hours(String interval) {
        return switch (interval) {
            case "DAY" -> 24;
            case "WEEK" -> 168;
            case "MONTH" -> 720;
            case "YEAR" -> 8760;
            default -> 1;
        };
    }
}
