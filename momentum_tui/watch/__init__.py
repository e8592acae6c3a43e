"""Watching: playing videos in mpv (or any player), positions, the queue's playback."""
