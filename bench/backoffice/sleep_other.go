//go:build !linux

package backoffice

import "time"

// sleepUntil blocks until deadline. Outside Linux it may wake up to a millisecond late.
func sleepUntil(deadline time.Time) {
	time.Sleep(time.Until(deadline))
}
