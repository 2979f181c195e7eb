package upstream

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestErrorText(t *testing.T) {
	cases := []struct {
		name string
		err  *Error
		want string
	}{
		{
			name: "all-parts",
			err:  &Error{Category: ErrFault, API: "order_api.php", Op: "get", Status: 502, Message: "db down", Err: io.ErrUnexpectedEOF},
			want: `order_api.php get: upstream fault: status 502: "db down": unexpected EOF`,
		},
		{
			name: "from-decode",
			err:  &Error{Category: ErrNotFound, Status: 200, Message: "Order not found"},
			want: `not found: status 200: "Order not found"`,
		},
		{
			name: "no-response",
			err:  &Error{Category: ErrTimeout, API: "product_api.php", Op: "search", Err: errors.New("context deadline exceeded")},
			want: "product_api.php search: upstream timed out: context deadline exceeded",
		},
		{
			name: "api-only",
			err:  &Error{Category: ErrCircuitOpen, API: "invoice_api.php"},
			want: "invoice_api.php: circuit open",
		},
		{
			name: "op-only",
			err:  &Error{Category: ErrKeyRefused, Op: "profile", Status: 403},
			want: "profile: key refused: status 403",
		},
		{
			name: "message-line-breaks-quoted",
			err:  &Error{Category: ErrInvalidInput, Status: 200, Message: "bad\nline"},
			want: `invalid input: status 200: "bad\nline"`,
		},
		{
			name: "cause-line-breaks-flattened",
			err:  &Error{Category: ErrFault, Status: 200, Err: errors.New("first\r\nsecond")},
			want: "upstream fault: status 200: first  second",
		},
		{
			name: "nil-category",
			err:  &Error{Status: 500},
			want: "upstream error: status 500",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestErrorUnwrap(t *testing.T) {
	cause := &timeoutCause{}
	err := error(&Error{Category: ErrTimeout, API: "order_api.php", Op: "list", Err: cause})

	if !errors.Is(err, ErrTimeout) {
		t.Error("errors.Is(err, ErrTimeout) = false, want true")
	}
	if errors.Is(err, ErrFault) {
		t.Error("errors.Is(err, ErrFault) = true, want false")
	}
	var got *timeoutCause
	if !errors.As(err, &got) || got != cause {
		t.Errorf("errors.As found %v, want the cause", got)
	}

	wrapped := fmt.Errorf("load orders: %w", err)
	if !errors.Is(wrapped, ErrTimeout) {
		t.Error("errors.Is through a wrapper = false, want true")
	}
}

func TestErrorUnwrapParts(t *testing.T) {
	cases := []struct {
		name string
		err  *Error
		want int
	}{
		{name: "category-and-cause", err: &Error{Category: ErrFault, Err: io.EOF}, want: 2},
		{name: "category-only", err: &Error{Category: ErrNotFound}, want: 1},
		{name: "nothing", err: &Error{}, want: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parts := tc.err.Unwrap()
			if len(parts) != tc.want {
				t.Fatalf("Unwrap() = %v, want %d errors", parts, tc.want)
			}
			for _, part := range parts {
				if part == nil {
					t.Errorf("Unwrap() = %v, contains nil", parts)
				}
			}
		})
	}
}

// timeoutCause is a cause with its own type, to check errors.As through *Error.
type timeoutCause struct{}

func (*timeoutCause) Error() string { return "i/o timeout" }
