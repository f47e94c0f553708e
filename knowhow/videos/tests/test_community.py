"""Videos in the community: votes, comments and flags through their qa post; answer with a video."""

import pytest
from django.test import Client

from knowhow.core.errors import PermissionRefused
from knowhow.qa.models import Post
from knowhow.qa.services import answer_post
from knowhow.videos import services
from knowhow.videos.models import Video
from knowhow.videos.tests.factories import video_from_clip

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_video(user, clips, django_capture_on_commit_callbacks) -> Video:
    return video_from_clip(
        clips["landscape"], user=user, capture=django_capture_on_commit_callbacks
    )


def test_a_standalone_video_has_a_discussion_post_for_votes_and_comments(
    ready_video, user, other_user
):
    post = ready_video.post
    assert (
        post.post_type == Post.PostType.VIDEO
        and post.author == user
        and post.space == ready_video.space
    )
    client = Client()
    client.force_login(other_user)
    assert client.post(f"/posts/{post.pk}/vote/", {"value": "1"}).status_code == 302
    post.refresh_from_db()
    assert post.score == 1
    response = client.post(f"/posts/{post.pk}/comments/", {"body": "Very clear, thanks!"})
    assert response.status_code == 302 and response["Location"] == f"/videos/post/{post.pk}/"
    assert client.get(response["Location"]).url == f"/videos/{ready_video.pk}/"
    html = client.get(f"/videos/{ready_video.pk}/").content.decode()
    assert "Very clear, thanks!" in html and f'id="vote-{post.pk}"' in html


def test_the_maker_cannot_vote_on_their_own_video(ready_video, logged_in_client):
    response = logged_in_client.post(f"/posts/{ready_video.post.pk}/vote/", {"value": "1"})
    assert response.status_code == 403


def test_video_posts_stay_out_of_question_lists(ready_video, client):
    assert ready_video.title not in client.get("/questions/").content.decode()


def test_a_video_hidden_by_moderation_is_hidden_from_others(
    ready_video, other_user, logged_in_client
):
    Post.objects.filter(pk=ready_video.post_id).update(is_hidden=True)
    anon = Client()
    assert anon.get(f"/videos/{ready_video.pk}/").status_code == 404
    assert anon.get(f"/videos/{ready_video.pk}/media/hls/master.m3u8").status_code == 404
    assert ready_video.title not in anon.get("/videos/").content.decode()
    assert logged_in_client.get(f"/videos/{ready_video.pk}/").status_code == 200  # the maker


def test_answer_with_a_video(question, other_user, clips, django_capture_on_commit_callbacks):
    answer = answer_post(
        author=other_user, question=question, body="Here is how I do it, step by step."
    )
    with django_capture_on_commit_callbacks(execute=True):
        session = services.upload_create(
            user=other_user,
            space=question.space,
            title="Export to CSV, shown",
            length=clips["landscape"].stat().st_size,
            answer=answer,
        )
        with clips["landscape"].open("rb") as fh:
            services.upload_append(session=session, user=other_user, offset=0, chunk=[fh.read()])
    video = Video.objects.get(pk=session.video_id)
    assert video.status == Video.Status.READY and video.answer == answer and video.post is None
    client = Client()
    client.force_login(other_user)
    html = client.get(question.get_absolute_url()).content.decode()
    assert "▶ Video: Export to CSV, shown" in html
    assert f"/videos/upload/?answer={answer.pk}" in html  # the answer's author may add another


def test_only_the_answers_author_can_attach_a_video(question, user, other_user):
    answer = answer_post(
        author=other_user, question=question, body="Here is how I do it, step by step."
    )
    with pytest.raises(PermissionRefused):
        services.upload_create(
            user=user, space=question.space, title="Not my answer", length=10, answer=answer
        )
    with pytest.raises(PermissionRefused):
        services.upload_create(
            user=user, space=question.space, title="Not an answer", length=10, answer=question
        )


def test_the_profile_links_to_the_makers_videos(ready_video, user, client):
    html = client.get(f"/users/{user.pk}/").content.decode()
    assert f"/videos/by/{user.pk}/" in html
