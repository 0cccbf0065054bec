package io.gpubroker.provider.adapter;

/** How a provider tells what it billed: not at all, in one account-wide list, or one call per instance. */
public enum BillingApi {
    NONE,
    /** One call answers for every instance (Vast invoices, Rackrr wallet transactions). */
    ACCOUNT,
    /** One call per instance (Barrack instance billing); each instance is read and may fail on its own. */
    PER_INSTANCE
}
