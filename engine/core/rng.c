/* rng.c - Philox-4x32-10 from Random123, keyed by the seed, counting (draw, step, id, stream). */
#include "swarmlab/rng.h"

#include <assert.h>
#include <math.h>
#include <Random123/philox.h>

void sl_rng_block(uint64_t seed, uint32_t stream, uint64_t id, uint64_t step, uint32_t draw,
                  uint32_t out[4])
{
    philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    /* Counter words: draw, step, id, stream. The high halves of 64-bit ids and steps are
     * folded into the stream word; keys with id and step below 2^32 never collide. */
    philox4x32_ctr_t c = {{draw, (uint32_t)step, (uint32_t)id,
                           stream ^ ((uint32_t)(id >> 32) * 0x9E3779B9u) ^
                               ((uint32_t)(step >> 32) * 0x85EBCA6Bu)}};
    philox4x32_ctr_t r = philox4x32(c, k);
    out[0] = r.v[0];
    out[1] = r.v[1];
    out[2] = r.v[2];
    out[3] = r.v[3];
}

sl_rng sl_rng_make(uint64_t seed, uint32_t stream, uint64_t id, uint64_t step)
{
    sl_rng r;
    r.key[0] = (uint32_t)seed;
    r.key[1] = (uint32_t)(seed >> 32);
    r.ctr[0] = 0;
    r.ctr[1] = (uint32_t)step;
    r.ctr[2] = (uint32_t)id;
    r.ctr[3] = stream ^ ((uint32_t)(id >> 32) * 0x9E3779B9u) ^ ((uint32_t)(step >> 32) * 0x85EBCA6Bu);
    r.left = 0;
    r.buf[0] = r.buf[1] = r.buf[2] = r.buf[3] = 0;
    return r;
}

uint32_t sl_rng_u32(sl_rng *r)
{
    if (r->left == 0) {
        philox4x32_key_t k = {{r->key[0], r->key[1]}};
        philox4x32_ctr_t c = {{r->ctr[0], r->ctr[1], r->ctr[2], r->ctr[3]}};
        philox4x32_ctr_t o = philox4x32(c, k);
        r->buf[0] = o.v[0];
        r->buf[1] = o.v[1];
        r->buf[2] = o.v[2];
        r->buf[3] = o.v[3];
        r->ctr[0]++;
        r->left = 4;
    }
    return r->buf[4 - r->left--];
}

uint64_t sl_rng_u64(sl_rng *r)
{
    uint64_t hi = sl_rng_u32(r);
    return (hi << 32) | sl_rng_u32(r);
}

double sl_rng_uniform(sl_rng *r)
{
    return (double)(sl_rng_u64(r) >> 11) * 0x1.0p-53;
}

double sl_rng_uniform_pos(sl_rng *r)
{
    return ((double)(sl_rng_u64(r) >> 11) + 1.0) * 0x1.0p-53;
}

double sl_rng_range(sl_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * sl_rng_uniform(r);
}

uint32_t sl_rng_below(sl_rng *r, uint32_t n)
{
    assert(n > 0);
    /* Lemire's multiply-and-reject: unbiased. */
    uint64_t m = (uint64_t)sl_rng_u32(r) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t t = (uint32_t)(-n) % n;
        while (low < t) {
            m = (uint64_t)sl_rng_u32(r) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double sl_rng_normal(sl_rng *r)
{
    double u1 = sl_rng_uniform_pos(r);
    double u2 = sl_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double sl_rng_exponential(sl_rng *r, double rate)
{
    return -log(sl_rng_uniform_pos(r)) / rate;
}

uint32_t sl_rng_poisson(sl_rng *r, double lambda)
{
    if (!(lambda > 0.0)) return 0;
    if (lambda < 30.0) {
        /* Knuth: multiply uniforms until below e^-lambda. */
        double l = exp(-lambda), p = 1.0;
        uint32_t k = 0;
        for (;;) {
            p *= sl_rng_uniform_pos(r);
            if (p <= l) return k;
            k++;
        }
    }
    /* PTRS (Hormann 1993): transformed rejection with squeeze, exact for lambda >= 10. */
    double slam = sqrt(lambda), loglam = log(lambda);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = sl_rng_uniform(r) - 0.5, v = sl_rng_uniform_pos(r);
        double us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 && v <= vr) return (uint32_t)k;
        if (k < 0 || (us < 0.013 && v > us)) continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <=
            -lambda + k * loglam - lgamma(k + 1))
            return (uint32_t)k;
    }
}

uint64_t sl_seed_mix(uint64_t seed, uint64_t i)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * (i + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
