import { createRouter, createWebHistory } from 'vue-router'
import { useSession } from './stores/session'
import LoginView from './views/LoginView.vue'

// The ginchat page routes: / and /index log in, /toRegister registers, /toChat is the chat.
// WebFront serves index.html for exactly these paths (and /videos), never as a catch-all.
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: LoginView, meta: { guest: true } },
    { path: '/index', component: LoginView, meta: { guest: true } },
    { path: '/toRegister', component: () => import('./views/RegisterView.vue'), meta: { guest: true } },
    { path: '/toChat', component: () => import('./views/ChatView.vue'), meta: { auth: true } },
    { path: '/videos', component: () => import('./views/VideosView.vue'), meta: { auth: true } },
    { path: '/admin', component: () => import('./views/AdminView.vue'), meta: { auth: true, admin: true } },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach(async to => {
  const session = useSession()
  // A ginchat-style link (/toChat?userId=&token=) hands over a session: keep it, and drop it from the URL.
  if (to.path === '/toChat' && typeof to.query.token === 'string' && to.query.token) {
    try {
      await session.adoptToken(to.query.token)
    } catch {
      return { path: '/', replace: true }
    }
    return { path: '/toChat', replace: true }
  }
  if (to.meta.auth && !session.signedIn) return { path: '/', replace: true }
  // An administrator reset the password: the login page asks for a new one before anything else.
  if (session.signedIn && session.user?.mustChangePassword) return to.meta.guest ? true : { path: '/', replace: true }
  if (to.meta.guest && session.signedIn) return { path: '/toChat', replace: true }
  if (to.meta.admin && !session.user?.isAdmin) return { path: '/toChat', replace: true }
  return true
})
