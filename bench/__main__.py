"""Run every benchmark: python -m bench (make bench)."""

from bench import activities, foundation, review

if __name__ == "__main__":
    foundation.main()
    activities.main()
    review.main()
