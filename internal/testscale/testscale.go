package testscale

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// Env is the environment variable that sets the factor.
const Env = "CHANGEGATE_TEST_TIMEOUT_SCALE"

// Factor returns the factor timeouts are multiplied by: Env when set,
// else 1, or 4 under the race detector. It panics, naming Env, when Env
// is set to anything but a positive number: the tests cannot run as
// asked.
func Factor() float64 {
	f, err := envFactor()
	if err != nil {
		panic(err)
	}
	return f
}

var envFactor = sync.OnceValues(func() (float64, error) { return parse(os.Getenv(Env)) })

// parse reads a value of Env; empty is the default.
func parse(v string) (float64, error) {
	if v == "" {
		return defaultFactor, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) || f > 1000 {
		return 0, fmt.Errorf("%s=%q: give a positive number up to 1000, such as 3 or 0.5", Env, v)
	}
	return f, nil
}

// Timeout returns d multiplied by Factor.
func Timeout(d time.Duration) time.Duration {
	return time.Duration(float64(d) * Factor())
}
