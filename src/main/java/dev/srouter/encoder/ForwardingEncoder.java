package dev.srouter.encoder;

/**
 * An encoder that wraps another and passes on everything but what it is for: the base of the
 * decorators ({@link CachingEncoder}, {@link ProgressEncoder}), which override {@link #encode} (and
 * {@link #close} when they hold more).
 */
abstract class ForwardingEncoder implements Encoder {
    protected final Encoder delegate;

    ForwardingEncoder(Encoder delegate) {
        this.delegate = delegate;
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public String model() {
        return delegate.model();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public String cacheKey() {
        return delegate.cacheKey();
    }

    @Override
    public boolean asymmetric() {
        return delegate.asymmetric();
    }

    @Override
    public double defaultThreshold() {
        return delegate.defaultThreshold();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
