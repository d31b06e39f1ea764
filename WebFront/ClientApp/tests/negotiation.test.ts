import { describe, expect, test } from 'vitest'
import { isPolite, offerCollides, onDescription, restartsIce, videoBitrateCap } from '../src/lib/negotiation'

describe('perfect negotiation', () => {
  test('Each_pair_has_exactly_one_polite_end_whoever_asks', () => {
    expect(isPolite(3, 9)).toBe(true)
    expect(isPolite(9, 3)).toBe(false)
    for (const [a, b] of [[1, 2], [40, 7], [5, 6]]) expect(isPolite(a, b)).not.toBe(isPolite(b, a))
  })

  test('Crossing_offers_the_impolite_end_ignores_theirs_and_the_polite_end_takes_it', () => {
    const collides = offerCollides('offer', true, 'have-local-offer', false)
    expect(collides).toBe(true)
    expect(onDescription(false, collides)).toBe('ignore')
    expect(onDescription(true, collides)).toBe('accept')
  })

  test('An_offer_in_a_stable_state_or_while_our_answer_is_being_applied_does_not_collide', () => {
    expect(offerCollides('offer', false, 'stable', false)).toBe(false)
    expect(offerCollides('offer', false, 'have-local-offer', true)).toBe(false)
    expect(offerCollides('answer', true, 'have-local-offer', false)).toBe(false)
  })

  test('Only_the_impolite_end_restarts_a_failed_connection', () => {
    expect(restartsIce('failed', false)).toBe(true)
    expect(restartsIce('failed', true)).toBe(false)
    expect(restartsIce('disconnected', false)).toBe(false)
  })

  test('Video_senders_send_less_the_more_peers_they_send_to', () => {
    expect(videoBitrateCap(1)).toBeGreaterThan(videoBitrateCap(2))
    expect(videoBitrateCap(2)).toBeGreaterThan(videoBitrateCap(3))
    expect(videoBitrateCap(3) * 3).toBeLessThanOrEqual(1_500_000)
  })
})
